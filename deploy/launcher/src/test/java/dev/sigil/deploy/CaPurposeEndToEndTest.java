package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;

/**
 * Issue 12's attack matrix, the CA-purpose lines: a database certificate Sigil issued to a bot, with
 * {@code CN=127.0.0.1}, is presented as join-service's server certificate to an agent holding the real pin (refused,
 * and the agent sends nothing); and client certificates of one purpose are used where another purpose's CA is
 * expected (refused by openssl, and by an mTLS server trusting the database CA). Prints tried, refused and through.
 */
@ExtendWith(SigilCluster.class)
class CaPurposeEndToEndTest {
    @TempDir
    Path dir;

    private int tried;
    private int refused;
    private final List<String> through = new ArrayList<>();

    @Test
    void noCertificateServesAnotherPurpose(LocalCluster cluster) throws Exception {
        String role = "purposes-" + UUID.randomUUID().toString().substring(0, 8);
        AdminClient admin = Bots.admin(cluster);
        // The role lets the bot name its database user after join-service's host: the certificate must still be useless there.
        admin.post("/v1/admin/roles", Map.of("name", role, "logins", List.of("nobody"), "databases", List.of("pg-*"),
                "databaseUsers", List.of("127.0.0.1", "localhost"), "kubernetesGroups", List.of("viewers")));
        admin.createBot(role, List.of(role), List.of());

        Map<String, Path> keys = new HashMap<>();
        List<Map<String, Object>> outputs = new ArrayList<>();
        // Outputs by name: two database certificates, CN=127.0.0.1 and CN=localhost (for which the JDK's own check
        // would fall back to the CN), the bot's identity and a Kubernetes one.
        Map<String, String> kinds = Map.of("identity", "identity", "database", "database", "database-localhost", "database",
                "kubernetes", "kubernetes");
        for (Map.Entry<String, String> output : kinds.entrySet()) {
            Path key = dir.resolve(output.getKey() + ".key");
            assertThat(Bots.run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "", "-f", key.toString()).exitCode()).isZero();
            keys.put(output.getKey(), key);
            outputs.add(new HashMap<>(Map.of("name", output.getKey(), "kind", output.getValue(), "roles", List.of(role),
                    "publicKey", Files.readString(Path.of(key + ".pub")).trim(), "databaseService", "pg-main",
                    "databaseUser", output.getKey().endsWith("localhost") ? "localhost" : "127.0.0.1", "kubernetesCluster", "prod")));
        }
        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", admin.createToken(role, "10m"),
                "publicKey", Bots.newPublicKey(), "outputs", outputs)), null);
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        Map<String, Path> certs = new HashMap<>();
        joined.body().get("outputs").forEach(o -> certs.put(o.get("name").asText(), write(o.get("name").asText() + ".crt",
                o.get("tlsCertificate").asText())));
        Map<String, Path> cas = new HashMap<>();
        for (String purpose : CaBundle.X509_PURPOSES) {
            cas.put(purpose, write(purpose + "-ca.crt", joined.body().at("/ca/x509Cas/" + purpose).asText()));
        }
        assertThat(Bots.run("openssl", "x509", "-noout", "-subject", "-in", certs.get("database").toString()).output())
                .contains("CN = 127.0.0.1");
        assertThat(Bots.run("openssl", "x509", "-noout", "-subject", "-in", certs.get("database-localhost").toString()).output())
                .contains("CN = localhost");
        assertThat(CaTrust.pin(CaTrust.certificate(Files.readString(cas.get(CaBundle.SERVICE))))).isEqualTo(cluster.caPin());

        impersonateJoinService(cluster, role, "127.0.0.1", certs.get("database"), keys.get("database"), cas.get(CaBundle.DATABASE));
        impersonateJoinService(cluster, role, "localhost", certs.get("database-localhost"), keys.get("database-localhost"),
                cas.get(CaBundle.DATABASE));
        crossPurposeClientCertificates(certs, keys, cas);

        System.out.printf("CA purposes end to end: %d tried, %d refused, %d through %s%n", tried, refused, through.size(), through);
        assertThat(through).as("got through").isEmpty();
        assertThat(refused).isEqualTo(tried);
    }

    /** An agent with the real pin, and one that pins the database CA too, dial a server presenting the database certificate. */
    private void impersonateJoinService(LocalCluster cluster, String bot, String host, Path databaseCert, Path databaseKey,
            Path databaseCa) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token-" + host), Bots.admin(cluster).createToken(bot, "10m"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = dir.resolve("impostor-" + host + ".log");
        Process impostor = new ProcessBuilder("openssl", "s_server", "-accept", String.valueOf(port), "-cert", databaseCert.toString(),
                "-key", databaseKey.toString(), "-cert_chain", databaseCa.toString(), "-quiet").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        String databasePin = CaTrust.pin(CaTrust.certificate(Files.readString(databaseCa)));
        try {
            awaitListening(port);
            for (String pins : List.of(cluster.caPin(), cluster.caPin() + "," + databasePin)) {
                Path out = dir.resolve("identity-" + tried);
                LocalCluster.ProcessResult agent = cluster.runAgent("start", "--oneshot", "--join-url", "https://" + host + ":" + port,
                        "--ca-pin", pins, "--token-file", tokenFile.toString(), "--destination", out.toString());
                count("agent dialling " + host + " and pinning " + (pins.contains(",") ? "the service and database CAs" : "the service CA")
                        + " accepts a database certificate as join-service", agent.exitCode() != 0 && !Files.exists(out.resolve("tlscert")));
                assertThat(agent.stderr()).as(agent.stdout()).containsAnyOf("does not chain to a CA matching", "no serverAuth");
            }
        } finally {
            impostor.destroy();
            impostor.waitFor();
        }
        String heard = Files.readString(log);
        assertThat(heard).as("the impostor heard a request").doesNotContain("POST").doesNotContain(Files.readString(tokenFile));
        // The token never left the agent: the same token joins the real join-service.
        LocalCluster.ProcessResult real = cluster.runAgent("start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(),
                "--ca-pin", cluster.caPin(), "--token-file", tokenFile.toString(), "--destination", dir.resolve("real-" + host).toString());
        assertThat(real.exitCode()).as(real.stderr()).isZero();
    }

    /** Each purpose's client certificate where another purpose's CA decides, with openssl verify and a real mTLS server. */
    private void crossPurposeClientCertificates(Map<String, Path> certs, Map<String, Path> keys, Map<String, Path> cas) throws Exception {
        Map<String, String> purposeOf = Map.of("identity", CaBundle.BOT, "database", CaBundle.DATABASE, "kubernetes", CaBundle.KUBERNETES);
        for (String kind : List.of("identity", "database", "kubernetes")) {
            assertThat(Bots.run("openssl", "verify", "-CAfile", cas.get(purposeOf.get(kind)).toString(), certs.get(kind).toString())
                    .output()).as(kind + " under its own CA").endsWith(": OK\n");
            for (String purpose : CaBundle.X509_PURPOSES) {
                if (!purpose.equals(purposeOf.get(kind))) {
                    Bots.Run verify = Bots.run("openssl", "verify", "-CAfile", cas.get(purpose).toString(), certs.get(kind).toString());
                    count(kind + " certificate accepted by the " + purpose + " CA", verify.exitCode() != 0);
                }
            }
        }
        Bots.Run asServer = Bots.run("openssl", "verify", "-purpose", "sslserver", "-CAfile", cas.get(CaBundle.DATABASE).toString(),
                certs.get("database").toString());
        count("database certificate accepted as a TLS server certificate", asServer.exitCode() != 0);

        // A database server that trusts the database CA: the bot's identity and Kubernetes certificates do not log in.
        Path serverKey = dir.resolve("db-server.key");
        Path serverCert = dir.resolve("db-server.crt");
        Bots.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                serverKey.toString(), "-out", serverCert.toString(), "-subj", "/CN=127.0.0.1", "-days", "1",
                "-addext", "subjectAltName=IP:127.0.0.1");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process server = new ProcessBuilder("openssl", "s_server", "-accept", String.valueOf(port), "-Verify", "1",
                "-verify_return_error", "-CAfile", cas.get(CaBundle.DATABASE).toString(), "-cert", serverCert.toString(), "-key",
                serverKey.toString(), "-naccept", "4", "-quiet").redirectErrorStream(true)
                .redirectOutput(dir.resolve("db-server.log").toFile()).start();
        try {
            awaitListening(port); // one connection of the four
            for (String kind : List.of("identity", "kubernetes", "database")) {
                // TLS 1.2: a refused client certificate fails the handshake itself, so s_client's exit code tells.
                Bots.Run client = Bots.run("openssl", "s_client", "-tls1_2", "-connect", "127.0.0.1:" + port, "-cert",
                        certs.get(kind).toString(), "-key", keys.get(kind).toString(), "-CAfile", serverCert.toString(),
                        "-verify_return_error", "-brief");
                if (kind.equals("database")) {
                    assertThat(client.exitCode()).as("the database certificate logs in: " + client.output()).isZero();
                } else {
                    count(kind + " certificate accepted by a server trusting the database CA", client.exitCode() != 0);
                }
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private void count(String attack, boolean wasRefused) {
        tried++;
        if (wasRefused) {
            refused++;
        } else {
            through.add(attack);
        }
    }

    private static void awaitListening(int port) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
