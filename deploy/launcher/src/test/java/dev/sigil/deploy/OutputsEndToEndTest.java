package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;

/**
 * One join asking for every output kind, each for its own key, each checked by its real consumer: OpenSSL verifies
 * every X.509 output and completes an mTLS handshake with the application one; a real sshd presents the ssh_host
 * certificate and an ssh client that trusts Sigil's host CA through @cert-authority accepts it.
 */
@ExtendWith(SigilCluster.class)
class OutputsEndToEndTest {
    private static final String LOGIN = System.getProperty("user.name");

    @TempDir
    Path dir;

    @Test
    void everyOutputKindIsIssuedAndAcceptedByItsRealConsumer(LocalCluster cluster) throws Exception {
        String role = setUpRoles(cluster);
        Path hostKey = RealSshd.newHostKey(Files.createDirectory(dir.resolve("sshd")));
        Map<String, Path> keys = new HashMap<>();
        List<Map<String, Object>> outputs = new ArrayList<>();
        for (String kind : List.of("identity", "application", "database", "kubernetes", "workload-identity-x509")) {
            keys.put(kind, ecKey(kind));
            outputs.add(output(kind, role, Files.readString(Path.of(keys.get(kind) + ".pub")).trim()));
        }
        Map<String, Object> host = output("ssh_host", role, Files.readString(Path.of(hostKey + ".pub")).trim());
        host.put("hostNames", List.of("127.0.0.1"));
        outputs.add(host);

        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token",
                Bots.admin(cluster).createToken(role, "10m"), "publicKey", Bots.newPublicKey(), "outputs", outputs)), null);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        Path ca = Files.writeString(dir.resolve("tls-ca.crt"), joined.body().at("/ca/tlsCa").asText());
        Map<String, JsonNode> issued = new HashMap<>();
        joined.body().get("outputs").forEach(o -> issued.put(o.get("kind").asText(), o));

        // Each kind verifies under its own purpose's CA, and under no other purpose's.
        Map<String, String> purposes = Map.of("identity", CaBundle.BOT, "application", CaBundle.BOT, "database", CaBundle.DATABASE,
                "kubernetes", CaBundle.KUBERNETES, "workload-identity-x509", CaBundle.BOT);
        assertThat(joined.body().at("/ca/x509Cas/" + CaBundle.BOT).asText()).isEqualTo(joined.body().at("/ca/tlsCa").asText());
        for (String kind : List.of("identity", "application", "database", "kubernetes", "workload-identity-x509")) {
            Path cert = Files.writeString(dir.resolve(kind + ".crt"), issued.get(kind).get("tlsCertificate").asText());
            for (String purpose : CaBundle.X509_PURPOSES) {
                Path purposeCa = Files.writeString(dir.resolve(purpose + "-ca.crt"), joined.body().at("/ca/x509Cas/" + purpose).asText());
                Bots.Run verify = Bots.run("openssl", "verify", "-CAfile", purposeCa.toString(), cert.toString());
                if (purpose.equals(purposes.get(kind))) {
                    assertThat(verify.output()).as(kind + " under the " + purpose + " CA").endsWith(": OK\n");
                } else {
                    assertThat(verify.exitCode()).as(kind + " under the " + purpose + " CA: " + verify.output()).isNotZero();
                }
            }
        }
        assertThat(subject("database")).contains("CN = reader").contains("OU = database:pg-main");
        assertThat(subject("kubernetes")).contains("O = viewers").contains("OU = kubernetes:prod");
        assertThat(Bots.run("openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", dir.resolve("workload-identity-x509.crt").toString())
                .output()).contains("URI:spiffe://e2e.sigil.test/workload/api");

        assertMutualTls(ca, dir.resolve("application.crt"), keys.get("application"));

        List<String> audit = Bots.records(cluster, dev.sigil.contract.Topics.AUDIT, role);
        assertThat(audit).anySatisfy(line -> assertThat(line).contains("\"event\":\"issued\"").contains("ssh_host-out ssh_host")
                .contains("database-out database"));
        assertThat(audit).noneMatch(line -> line.contains("PRIVATE KEY"));

        Path identityCert = Files.writeString(dir.resolve("identity-cert.pub"), issued.get("identity").get("sshCertificate").asText());
        Path hostCert = Files.writeString(Path.of(hostKey + "-cert.pub"), issued.get("ssh_host").get("sshCertificate").asText());
        Path userCa = Files.writeString(dir.resolve("user-ca.pub"), joined.body().at("/ca/sshUserCa").asText());
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "@cert-authority * " + joined.body().at("/ca/sshHostCa").asText() + "\n");
        try (RealSshd sshd = new RealSshd(dir.resolve("sshd"), userCa, hostKey, hostCert)) {
            Bots.Run login = Bots.run("ssh", "-i", keys.get("identity").toString(), "-o", "CertificateFile=" + identityCert,
                    "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                    "-o", "BatchMode=yes", "-p", String.valueOf(sshd.port), LOGIN + "@127.0.0.1", "echo host-verified");
            assertThat(login.exitCode()).as(login.output()).isZero();
            assertThat(login.output()).contains("host-verified");
        }
    }

    @Test
    void anOutputAskingForMoreThanItsRolesAllowIsRefused(LocalCluster cluster) throws Exception {
        String role = setUpRoles(cluster);
        Map<String, Object> otherRole = output("identity", role, Bots.newPublicKey());
        otherRole.put("roles", List.of("admin"));
        Map<String, Object> otherApp = output("application", role, Bots.newPublicKey());
        otherApp.put("app", "payroll");
        String token = Bots.admin(cluster).createToken(role, "10m");

        Bots.Answer notMyRole = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", token, "publicKey",
                Bots.newPublicKey(), "outputs", List.of(otherRole))), null);
        assertThat(notMyRole.code()).isEqualTo("ROLE_NOT_ALLOWED");
        Bots.Answer notMyApp = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", token, "publicKey",
                Bots.newPublicKey(), "outputs", List.of(otherApp))), null);
        assertThat(notMyApp.code()).isEqualTo("OUTPUT_NOT_ALLOWED");
        assertThat(notMyApp.body().get("message").asText()).contains("application 'payroll'");
    }

    /** A role reaching one of each, and a bot (named like the role) impersonating it. */
    static String setUpRoles(LocalCluster cluster) throws Exception {
        String role = "outputs-" + UUID.randomUUID().toString().substring(0, 8);
        AdminClient admin = Bots.admin(cluster);
        admin.post("/v1/admin/roles", Map.of("name", role, "logins", List.of(LOGIN), "apps", List.of("grafana"),
                "databases", List.of("pg-*"), "databaseUsers", List.of("reader"), "kubernetesGroups", List.of("viewers"),
                "sshHostNames", List.of("127.0.0.1", "*.hosts.test"), "spiffePaths", List.of("/workload/*")));
        admin.createBot(role, List.of(role), List.of());
        return role;
    }

    private static Map<String, Object> output(String kind, String role, String publicKey) {
        Map<String, Object> output = new HashMap<>(Map.of("name", kind + "-out", "kind", kind, "roles", List.of(role),
                "publicKey", publicKey, "app", "grafana", "databaseService", "pg-main", "databaseUser", "reader",
                "databaseName", "app", "kubernetesCluster", "prod"));
        output.put("spiffePath", "/workload/api");
        return output;
    }

    /** An ECDSA key in PEM (which OpenSSL and OpenSSH both read) with its OpenSSH public half beside it. */
    private Path ecKey(String name) throws Exception {
        Path key = dir.resolve(name + ".key");
        assertThat(Bots.run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", key.toString()).exitCode()).isZero();
        return key;
    }

    private String subject(String kind) throws Exception {
        return Bots.run("openssl", "x509", "-noout", "-subject", "-in", dir.resolve(kind + ".crt").toString()).output();
    }

    /** openssl s_server demanding a client certificate from Sigil's CA accepts the application output, and only it. */
    private void assertMutualTls(Path sigilCa, Path clientCert, Path clientKey) throws Exception {
        Path serverKey = dir.resolve("server.key");
        Path serverCert = dir.resolve("server.crt");
        Bots.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                serverKey.toString(), "-out", serverCert.toString(), "-subj", "/CN=127.0.0.1", "-days", "1",
                "-addext", "subjectAltName=IP:127.0.0.1");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", String.valueOf(port), "-Verify", "1",
                "-verify_return_error", "-CAfile", sigilCa.toString(), "-cert", serverCert.toString(), "-key",
                serverKey.toString(), "-naccept", "3", "-quiet").redirectErrorStream(true)
                .redirectOutput(dir.resolve("s_server.log").toFile()).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            // TLS 1.2: a refused client certificate fails the handshake itself, so s_client's exit code tells.
            Bots.Run accepted = Bots.run("openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:" + port, "-cert",
                    clientCert.toString(), "-key", clientKey.toString(), "-CAfile", serverCert.toString(), "-verify_return_error", "-brief");
            assertThat(accepted.exitCode()).as(accepted.output()).isZero();
            assertThat(accepted.output()).contains("Verification: OK");
            Bots.Run stranger = Bots.run("openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:" + port, "-cert",
                    serverCert.toString(), "-key", serverKey.toString(), "-CAfile", serverCert.toString(), "-brief");
            assertThat(stranger.exitCode()).as("a certificate not from Sigil's CA is refused").isNotZero();
            assertThat(stranger.output()).contains("unknown ca");
        } finally {
            server.destroy();
        }
    }
}
