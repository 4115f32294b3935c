package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/**
 * A trusted leaf cluster: its sshd trusts Sigil's user CA and presents a host certificate from the leaf's own host
 * CA. An identity output routed to the leaf logs in there with a known_hosts that trusts the leaf's host CA; other
 * kinds of output for a leaf are refused.
 */
@ExtendWith(SigilCluster.class)
class LeafClusterEndToEndTest {
    private static final String LOGIN = System.getProperty("user.name");

    @TempDir
    Path dir;

    @Test
    void anIdentityRoutedToALeafLogsInToTheLeafsHostsAndOnlySshReachesIt(LocalCluster cluster) throws Exception {
        String leaf = "leaf-" + UUID.randomUUID().toString().substring(0, 6);
        Path leafCa = dir.resolve("leaf_host_ca");
        Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", leafCa.toString());
        String leafCaLine = Files.readString(Path.of(leafCa + ".pub")).trim();
        Bots.admin(cluster).post("/v1/admin/leaf-clusters", Map.of("name", leaf, "hostCa", leafCaLine));
        String bot = Bots.newBot(cluster, List.of(LOGIN));
        Path key = dir.resolve("id");
        Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());

        Bots.Answer joined = join(cluster, bot, output("identity", leaf, Files.readString(Path.of(key + ".pub")).trim()));
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        JsonNode routed = joined.body().get("outputs").get(0);
        assertThat(routed.get("cluster").asText()).isEqualTo(leaf);
        assertThat(routed.get("hostCa").asText()).isEqualTo(leafCaLine);
        assertThat(routed.has("tlsCertificate")).as("only SSH reaches a leaf").isFalse();
        Path cert = Files.writeString(Path.of(key + "-cert.pub"), routed.get("sshCertificate").asText());
        assertThat(Bots.run("ssh-keygen", "-L", "-f", cert.toString()).output()).contains("route-to-cluster@sigil.dev");

        Path sshdDir = Files.createDirectory(dir.resolve("leaf-sshd"));
        Path hostKey = RealSshd.newHostKey(sshdDir);
        Bots.run("ssh-keygen", "-q", "-s", leafCa.toString(), "-I", "leaf-host", "-h", "-n", "127.0.0.1", hostKey + ".pub");
        Path userCa = Files.writeString(dir.resolve("sigil-user-ca.pub"), joined.body().at("/ca/sshUserCa").asText());
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "@cert-authority * " + routed.get("hostCa").asText() + "\n");
        try (RealSshd sshd = new RealSshd(sshdDir, userCa, hostKey, Path.of(hostKey + "-cert.pub"))) {
            Bots.Run login = Bots.run("ssh", "-i", key.toString(), "-o", "CertificateFile=" + cert, "-o", "IdentitiesOnly=yes",
                    "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                    "-p", String.valueOf(sshd.port), LOGIN + "@127.0.0.1", "echo in-the-leaf");
            assertThat(login.exitCode()).as(login.output()).isZero();
            assertThat(login.output()).contains("in-the-leaf");
        }

        Bots.Answer app = join(cluster, bot, output("application", leaf, Bots.newPublicKey()));
        assertThat(app.code()).isEqualTo("OUTPUT_NOT_ALLOWED");
        assertThat(app.body().get("message").asText()).contains("only SSH access is supported in leaf clusters");
        assertThat(join(cluster, bot, output("identity", "nowhere", Bots.newPublicKey())).code()).isEqualTo("UNKNOWN_CLUSTER");
    }

    private static Bots.Answer join(LocalCluster cluster, String bot, Map<String, Object> output) throws Exception {
        return Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", Bots.admin(cluster).createToken(bot, "10m"),
                "publicKey", Bots.newPublicKey(), "outputs", List.of(output))), null);
    }

    private static Map<String, Object> output(String kind, String cluster, String publicKey) {
        Map<String, Object> output = new HashMap<>(Map.of("name", kind + "-" + cluster, "kind", kind, "cluster", cluster,
                "publicKey", publicKey));
        output.put("app", "grafana");
        return output;
    }
}
