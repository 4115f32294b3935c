package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/** The first identity, all real: admin API → agent process → broker → issuer → files checked by OpenSSH and OpenSSL. */
@ExtendWith(SigilCluster.class)
class FirstIdentityEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void agentJoinsWithAOneTimeTokenAndWritesAWorkingIdentity(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy", "ubuntu"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        Path tokenFile = Files.writeString(dir.resolve("token"), token);
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult agent = cluster.runAgent("start", "--oneshot", "--join-url",
                cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(), "--token-file", tokenFile.toString(), "--destination",
                out.toString(), "--credential-ttl", "30m");

        assertThat(agent.exitCode()).as(agent.stderr()).isZero();
        assertThat(agent.stdout()).contains("ssh -F " + out.resolve("ssh_config"));
        assertThat(out.resolve("key")).exists();
        for (String secret : List.of("key", "tlskey")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(secret)))).isEqualTo("rw-------");
        }
        assertThat(Files.readString(out.resolve("known_hosts"))).startsWith("@cert-authority * ssh-ed25519 ");

        Bots.Run listing = Bots.run("ssh-keygen", "-L", "-f", out.resolve("key-cert.pub").toString());
        assertThat(listing.output()).contains("user certificate").contains("Key ID: \"bot-" + bot + "/")
                .containsPattern("Principals: \\n\\s+deploy\\n\\s+ubuntu\\n");
        Instant[] validity = validity(listing.output());
        assertThat(Duration.between(validity[0], validity[1])).isEqualTo(Duration.ofMinutes(31)); // 30m + 1m backdating

        Bots.Run verify = Bots.run("openssl", "verify", "-purpose", "sslclient", "-CAfile",
                out.resolve("tls-ca.crt").toString(), out.resolve("tlscert").toString());
        assertThat(verify.output()).endsWith(": OK\n");
        Bots.Run subject = Bots.run("openssl", "x509", "-noout", "-subject", "-ext", "subjectAltName", "-in",
                out.resolve("tlscert").toString());
        assertThat(subject.output()).contains("CN = bot-" + bot).contains("O = " + bot + "-role")
                .contains("URI:spiffe://e2e.sigil.test/bot/" + bot);
        // The TLS key is the one the certificate was issued for.
        assertThat(Bots.run("openssl", "pkey", "-in", out.resolve("tlskey").toString(), "-pubout").output())
                .isEqualTo(Bots.run("openssl", "x509", "-in", out.resolve("tlscert").toString(), "-noout", "-pubkey").output());
    }

    @Test
    void agentRefusesAJoinServiceWhoseCaDoesNotMatchItsPin(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path tokenFile = Files.writeString(dir.resolve("token"), Bots.admin(cluster).createToken(bot, "10m"));
        String wrongPin = "sha256:" + "0".repeat(64);

        LocalCluster.ProcessResult agent = cluster.runAgent("start", "--oneshot", "--join-url",
                cluster.url(Service.JOIN).toString(), "--ca-pin", wrongPin, "--token-file", tokenFile.toString(),
                "--destination", dir.resolve("identity").toString());

        assertThat(agent.exitCode()).isNotZero();
        assertThat(agent.stderr()).contains("does not chain to a CA matching --ca-pin");
        assertThat(dir.resolve("identity")).doesNotExist();
        assertThat(Bots.join(cluster, Files.readString(tokenFile), Bots.newPublicKey()).status())
                .as("the token was never sent, so it still works").isEqualTo(200);
    }

    @Test
    void renewalServiceTracksTheIssuedIdentityWithARenewalPointInsideItsLifetime(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Bots.Answer joined = Bots.join(cluster, Bots.admin(cluster).createToken(bot, "10m"), Bots.newPublicKey());
        Instant answeredBy = Instant.now();
        assertThat(joined.status()).isEqualTo(200);
        String instance = joined.body().at("/identity/instanceId").asText();

        URI view = cluster.url(Service.RENEWAL).resolve("/v1/identities?bot=" + bot);
        JsonNode tracked = await().atMost(Duration.ofSeconds(20)).until(() -> {
            HttpResponse<String> r = cluster.httpClient().send(HttpRequest.newBuilder(view).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? EventJson.MAPPER.readTree(r.body()) : null;
        }, list -> list != null && list.size() == 1);

        JsonNode identity = tracked.get(0).get("identity");
        assertThat(identity.get("instanceId").asText()).isEqualTo(instance);
        assertThat(tracked.get(0).get("state").asText()).isEqualTo("fresh");
        Instant after = Instant.parse(identity.get("validAfter").asText());
        Instant before = Instant.parse(identity.get("validBefore").asText());
        Instant renewAt = Instant.parse(identity.get("renewAt").asText());
        // The lifetime is counted from issuance, which lies between the backdated validAfter and the answer.
        assertThat(renewAt).isBetween(fractionOfTheWay(after, before, 0.4), fractionOfTheWay(answeredBy, before, 0.6));
    }

    private static Instant fractionOfTheWay(Instant from, Instant to, double fraction) {
        return from.plusMillis((long) (Duration.between(from, to).toMillis() * fraction));
    }

    /** Reads "Valid: from X to Y" of ssh-keygen -L, run in UTC. */
    private static Instant[] validity(String listing) {
        var m = java.util.regex.Pattern.compile("Valid: from (\\S+) to (\\S+)").matcher(listing);
        assertThat(m.find()).isTrue();
        return new Instant[] { Instant.parse(m.group(1) + "Z"), Instant.parse(m.group(2) + "Z") };
    }
}
