package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/**
 * A full CA rotation on a Sigil of its own: both keys trusted before the new one signs anything, clients move in
 * update_clients (with a renewal request for every identity), and once the rotation completes a real sshd trusting
 * the published user CAs refuses certificates of the rotated-out key.
 */
class CaRotationEndToEndTest {
    private static final String LOGIN = System.getProperty("user.name");
    private static LocalCluster cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LocalCluster(LocalCluster.sourceRoot(), Files.createTempDirectory("sigil-rotation"), "rotation.sigil.test").start();
        Bots.admin(cluster).createRole("access", List.of("{{internal.logins}}"));
        Bots.admin(cluster).createBot("rotating-bot", List.of("access"), List.of(LOGIN));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aCompleteRotationTrustsBothKeysUntilTheEndAndThenOnlyTheNewOne() throws Exception {
        JsonNode before = ca();
        assertThat(before.get("phase").asText()).isEqualTo("standby");
        String oldUserCa = before.get("sshUserCa").asText();
        Path oldCert = joinForCertificate("old");

        JsonNode init = rotateTo("init");
        assertThat(init.get("trustedSshUserCas")).hasSize(2);
        String newUserCa = init.get("trustedSshUserCas").get(1).asText();
        assertThat(signingCa(joinForCertificate("during-init"))).as("nothing signed with the new key yet").isEqualTo(fingerprint(oldUserCa));

        rotateTo("update_clients");
        // An admin renews during a rotation like every bot: its identity from the old CA stops working at standby.
        cluster.renewAdminIdentity();
        Path newCert = joinForCertificate("after-update-clients");
        assertThat(signingCa(newCert)).isEqualTo(fingerprint(newUserCa));
        // Signed by the new key, so issued in update_clients: the answer carries that phase's bundle, both keys trusted.
        assertThat(lastJoin.get("ca")).as("the bundle the result names: update_clients'").isEqualTo(ca());
        assertThat(lastJoin.at("/ca/trustedSshUserCas")).hasSize(2);
        assertThat(Bots.records(cluster, Topics.RENEWAL_REQUESTS, "after-ca-rotation")).singleElement().asString()
                .contains("\"scope\":\"after-ca-rotation\"");

        rotateTo("update_servers");
        JsonNode done = rotateTo("standby");
        assertThat(done.get("activeGeneration").asInt()).isEqualTo(2);
        assertThat(done.get("trustedSshUserCas")).hasSize(1);
        assertThat(done.get("trustedSshUserCas").get(0).asText()).isEqualTo(newUserCa);

        Path trusted = Files.writeString(dir.resolve("trusted-user-cas.pub"), newUserCa + "\n");
        try (RealSshd sshd = new RealSshd(Files.createDirectory(dir.resolve("sshd")), trusted)) {
            Path knownHosts = Files.writeString(dir.resolve("known_hosts"), sshd.knownHostsLine());
            assertThat(ssh(sshd, knownHosts, "after-update-clients").exitCode()).as("new key accepted").isZero();
            Bots.Run refused = ssh(sshd, knownHosts, "old");
            assertThat(refused.exitCode()).as("rotated-out key refused").isNotZero();
            assertThat(refused.output()).contains("Permission denied");
        }

        Bots.Answer wrong = Bots.post(cluster, "/v1/admin/ca/rotation", EventJson.write(Map.of("phase", "update_servers")), null);
        assertThat(wrong.status()).isEqualTo(409);
        assertThat(wrong.code()).isEqualTo("ROTATION_NOT_ALLOWED");

        rotateTo("init");
        rotateTo("rollback");
        JsonNode rolledBack = rotateTo("standby");
        assertThat(rolledBack.get("activeGeneration").asInt()).as("a rollback keeps the active key").isEqualTo(2);
        assertThat(signingCa(joinForCertificate("after-rollback"))).isEqualTo(fingerprint(newUserCa));
        assertThat(oldCert).exists();
    }

    /** The body of the last join's answer. */
    private JsonNode lastJoin;

    private JsonNode rotateTo(String phase) throws Exception {
        Bots.Answer accepted = Bots.post(cluster, "/v1/admin/ca/rotation", EventJson.write(Map.of("phase", phase, "spread", "1m")),
                null);
        assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        return await().atMost(Duration.ofSeconds(20)).until(CaRotationEndToEndTest::ca, b -> b.get("phase").asText().equals(phase));
    }

    private static JsonNode ca() throws Exception {
        HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/admin/ca")).build(), HttpResponse.BodyHandlers.ofString());
        return EventJson.MAPPER.readTree(response.body());
    }

    /** Joins with a fresh ssh key; returns the private key's path, with the certificate beside it. */
    private Path joinForCertificate(String name) throws Exception {
        Path key = dir.resolve(name);
        Bots.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token",
                Bots.admin(cluster).createToken("rotating-bot", "10m"), "publicKey", Files.readString(Path.of(key + ".pub")).trim())), null);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        // The issue result names its CA bundle by version; the bot still gets the whole bundle, as before versions.
        assertThat(joined.body().path("ca").path("trustedSshUserCas").size()).isPositive();
        assertThat(joined.body().has("caVersion")).isFalse();
        lastJoin = joined.body();
        Files.writeString(Path.of(key + "-cert.pub"), joined.body().at("/identity/sshCertificate").asText());
        return key;
    }

    private String signingCa(Path key) throws Exception {
        String listing = Bots.run("ssh-keygen", "-L", "-f", key + "-cert.pub").output();
        return listing.replaceAll("(?s).*Signing CA: \\S+ (SHA256:\\S+).*", "$1");
    }

    private String fingerprint(String publicKeyLine) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "ca", ".pub"), publicKeyLine + "\n");
        return Bots.run("ssh-keygen", "-l", "-f", file.toString()).output().split(" ")[1];
    }

    private Bots.Run ssh(RealSshd sshd, Path knownHosts, String key) throws Exception {
        Path k = dir.resolve(key);
        return Bots.run("ssh", "-i", k.toString(), "-o", "CertificateFile=" + k + "-cert.pub", "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "BatchMode=yes", "-p", String.valueOf(sshd.port),
                LOGIN + "@127.0.0.1", "true");
    }
}
