package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tbot-style v2 YAML config drives a one-shot agent run that writes every output kind, and each is checked by
 * its real consumer: an sshd started with the ssh_host files accepts a login made with {@code ssh -F} the identity's
 * ssh_config (host certificate trusted through @cert-authority, user certificate through the user CA), OpenSSL
 * verifies every X.509 output, kubectl reads the kubeconfig.
 */
@ExtendWith(SigilCluster.class)
class AgentOutputsEndToEndTest {
    private static final String LOGIN = System.getProperty("user.name");

    @TempDir
    Path dir;

    @Test
    void aTbotStyleConfigWritesEveryOutputInOneShot(LocalCluster cluster) throws Exception {
        String bot = OutputsEndToEndTest.setUpRoles(cluster);
        Path token = Files.writeString(dir.resolve("token"), Bots.admin(cluster).createToken(bot, "10m"));
        Path config = Files.writeString(dir.resolve("tbot.yaml"), """
                version: v2
                auth_server: %s
                ca_pins: ["%s"]
                onboarding:
                  join_method: token
                  token: %s
                storage:
                  type: directory
                  path: %s/storage
                credential_ttl: 30m
                oneshot: true
                outputs:
                  - type: identity
                    destination: {type: directory, path: %s/identity}
                  - type: application
                    app_name: grafana
                    destination: {type: directory, path: %s/app}
                  - type: database
                    service: pg-main
                    username: reader
                    database: app
                    format: mongo
                    destination: {type: directory, path: %s/mongo}
                  - type: database
                    service: pg-main
                    username: reader
                    format: cockroach
                    destination: {type: directory, path: %s/cockroach}
                  - type: kubernetes
                    kubernetes_cluster: prod
                    kubernetes_server: https://127.0.0.1:6443
                    destination: {type: directory, path: %s/kube}
                  - type: ssh_host
                    principals: [127.0.0.1]
                    destination: {type: directory, path: %s/host}
                  - type: workload-identity-x509
                    selector: {name: /workload/api}
                    destination: {type: directory, path: %s/svid}
                """.formatted(cluster.url(Service.JOIN), cluster.caPin(), token, dir, dir, dir, dir, dir, dir, dir, dir));

        LocalCluster.ProcessResult agent = cluster.runAgent("start", "--config", config.toString());

        assertThat(agent.exitCode()).as(agent.stderr()).isZero();
        assertThat(agent.stdout()).contains("7 output(s)");
        Path ca = dir.resolve("storage/tls-ca.crt");
        for (Path cert : List.of(dir.resolve("identity/tlscert"), dir.resolve("app/tls.crt"), dir.resolve("svid/svid.pem"))) {
            assertThat(Bots.run("openssl", "verify", "-CAfile", ca.toString(), cert.toString()).output()).as(cert.toString())
                    .endsWith(": OK\n");
        }
        // Database certificates come from the database CA, which the database outputs name, not from the bot CA.
        for (Path[] certAndCa : List.of(new Path[] { dir.resolve("cockroach/cockroach/node.crt"), dir.resolve("cockroach/cockroach/ca.crt") },
                new Path[] { dir.resolve("mongo/mongo.crt"), dir.resolve("mongo/mongo.cas") })) {
            assertThat(Bots.run("openssl", "verify", "-CAfile", certAndCa[1].toString(), certAndCa[0].toString()).output())
                    .as(certAndCa[0].toString()).endsWith(": OK\n");
            assertThat(Bots.run("openssl", "verify", "-CAfile", ca.toString(), certAndCa[0].toString()).exitCode())
                    .as(certAndCa[0] + " under the bot CA").isNotZero();
        }
        assertThat(Bots.run("openssl", "verify", "-CAfile", dir.resolve("app/tls.cas").toString(), dir.resolve("app/tls.crt").toString())
                .output()).endsWith(": OK\n");
        assertThat(Bots.run("openssl", "verify", "-CAfile", dir.resolve("svid/bundle.pem").toString(), dir.resolve("svid/svid.pem").toString())
                .output()).endsWith(": OK\n");
        assertKeyMatches(dir.resolve("app/tls.key"), dir.resolve("app/tls.crt"));
        assertKeyMatches(dir.resolve("mongo/mongo.crt"), dir.resolve("mongo/mongo.crt"));
        assertKeyMatches(dir.resolve("cockroach/cockroach/node.key"), dir.resolve("cockroach/cockroach/node.crt"));
        assertThat(Bots.run("openssl", "x509", "-noout", "-ext", "subjectAltName", "-in", dir.resolve("svid/svid.pem").toString())
                .output()).contains("URI:spiffe://e2e.sigil.test/workload/api");
        for (Path secret : List.of(dir.resolve("identity/key"), dir.resolve("identity/identity"), dir.resolve("app/tls.key"),
                dir.resolve("mongo/mongo.crt"), dir.resolve("kube/kubeconfig.yaml"), dir.resolve("host/ssh_host"), dir.resolve("svid/svid.key"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).as(secret.toString()).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("identity/identity"))).contains("OPENSSH PRIVATE KEY").contains("-cert-v01@openssh.com")
                .contains("BEGIN CERTIFICATE").contains("@cert-authority * ");

        assertKubeconfig(dir.resolve("kube/kubeconfig.yaml"), ca);

        // sshd runs with the ssh_host output alone; the identity's ssh_config alone gets the bot in.
        Path host = dir.resolve("host");
        try (RealSshd sshd = new RealSshd(host, host.resolve("ssh_host-user-ca.pub"), host.resolve("ssh_host"),
                host.resolve("ssh_host-cert.pub"))) {
            Bots.Run login = Bots.run("ssh", "-F", dir.resolve("identity/ssh_config").toString(), "-o", "BatchMode=yes",
                    "-p", String.valueOf(sshd.port), "127.0.0.1", "echo logged-in-as-$(whoami)");
            assertThat(login.exitCode()).as(login.output()).isZero();
            assertThat(login.output()).contains("logged-in-as-" + LOGIN);
        }
    }

    @Test
    void aConfigWithAnUnknownSettingIsRefusedBeforeJoining(LocalCluster cluster) throws Exception {
        Path config = Files.writeString(dir.resolve("tbot.yaml"), """
                version: v2
                auth_server: %s
                onboarding: {join_method: token, token: unused}
                outputs:
                  - type: identity
                    destinaton: {type: directory, path: /tmp/x}
                """.formatted(cluster.url(Service.JOIN)));

        LocalCluster.ProcessResult agent = cluster.runAgent("start", "--config", config.toString(), "--oneshot");

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.stderr()).contains("outputs[0].");
    }

    /** kubectl reads the file; the embedded client certificate verifies against Sigil's Kubernetes CA only and is for group viewers. */
    private void assertKubeconfig(Path kubeconfig, Path ca) throws Exception {
        Bots.Run view = Bots.run("kubectl", "config", "view", "--kubeconfig", kubeconfig.toString(), "--raw", "-o",
                "jsonpath={.current-context} {.clusters[0].cluster.server} {.users[0].user.client-certificate-data} "
                        + "{.clusters[0].cluster.certificate-authority-data}");
        assertThat(view.exitCode()).as(view.output()).isZero();
        String[] fields = view.output().trim().split(" ");
        assertThat(fields[0]).isEqualTo("e2e.sigil.test");
        assertThat(fields[1]).isEqualTo("https://127.0.0.1:6443");
        Path clientCert = Files.writeString(dir.resolve("kube-client.crt"),
                new String(Base64.getDecoder().decode(fields[2]), StandardCharsets.UTF_8));
        // The client certificate is from the Kubernetes CA (what the API server trusts), not from the bot CA.
        Path kubernetesCa = Files.writeString(dir.resolve("kube-ca.crt"),
                new String(Base64.getDecoder().decode(fields[3]), StandardCharsets.UTF_8));
        assertThat(Bots.run("openssl", "verify", "-CAfile", kubernetesCa.toString(), clientCert.toString()).output()).endsWith(": OK\n");
        assertThat(Bots.run("openssl", "verify", "-CAfile", ca.toString(), clientCert.toString()).exitCode()).isNotZero();
        assertThat(Bots.run("openssl", "x509", "-noout", "-subject", "-in", kubernetesCa.toString()).output()).contains("OU = kubernetes");
        assertThat(Bots.run("openssl", "x509", "-noout", "-subject", "-in", clientCert.toString()).output()).contains("O = viewers");
    }

    private static void assertKeyMatches(Path key, Path cert) throws Exception {
        String fromKey = Bots.run("openssl", "pkey", "-in", key.toString(), "-pubout").output();
        String fromCert = Bots.run("openssl", "x509", "-in", cert.toString(), "-noout", "-pubkey").output();
        assertThat(fromKey).contains("BEGIN PUBLIC KEY").isEqualTo(fromCert);
    }
}
