package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * Renewal with the current identity, through the agent and the real services: the instance stays, the generation
 * advances, and a copied identity gives itself away and locks its instance.
 */
@ExtendWith(SigilCluster.class)
class RenewalEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void renewingKeepsTheInstanceRekeysAndAdvancesTheGeneration(LocalCluster cluster) throws Exception {
        Path identity = join(cluster, dir.resolve("identity"));
        String firstKey = Files.readString(identity.resolve("key.pub"));
        String instance = instanceOf(identity);

        LocalCluster.ProcessResult renewed = renew(cluster, identity);

        assertThat(renewed.exitCode()).as(renewed.stderr()).isZero();
        assertThat(renewed.stdout()).contains("instance " + instance + ", generation 2");
        assertThat(Files.readString(identity.resolve("key.pub"))).as("a renewal re-keys").isNotEqualTo(firstKey);
        assertThat(Bots.run("openssl", "verify", "-CAfile", identity.resolve("tls-ca.crt").toString(),
                identity.resolve("tlscert").toString()).output()).endsWith(": OK\n");
        assertThat(Bots.run("openssl", "x509", "-noout", "-text", "-in", identity.resolve("tlscert").toString()).output())
                .contains("\"instanceId\":\"" + instance + "\"").contains("\"generation\":2");
        assertThat(renew(cluster, identity).stdout()).contains("generation 3");
    }

    @Test
    void aCopiedIdentityIsCaughtAndItsInstanceLocked(LocalCluster cluster) throws Exception {
        Path original = join(cluster, dir.resolve("original"));
        Path copy = Files.createDirectory(dir.resolve("copy"));
        try (var files = Files.list(original)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        String instance = instanceOf(original);

        assertThat(renew(cluster, copy).exitCode()).as("the thief renews first").isZero();
        LocalCluster.ProcessResult caught = renew(cluster, original);
        LocalCluster.ProcessResult thief = renew(cluster, copy);

        assertThat(caught.exitCode()).isEqualTo(2);
        assertThat(caught.stderr()).contains("GENERATION_MISMATCH").contains("copied");
        assertThat(thief.exitCode()).isEqualTo(2);
        assertThat(thief.stderr()).contains("LOCKED");
        assertThat(Bots.records(cluster, Topics.LOCKS, "instance:" + instance)).singleElement().asString()
                .contains("generation mismatch");

        // What an admin investigating sees: the instance, locked, with its join and the thief's renewal.
        String bot = Bots.run("openssl", "x509", "-noout", "-subject", "-in", original.resolve("tlscert").toString()).output()
                .replaceAll("(?s).*CN = bot-([^,\\s]+).*", "$1");
        com.fasterxml.jackson.databind.JsonNode seen = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> adminGet(cluster, "/v1/admin/bot-instances?bot=" + bot),
                        list -> list.size() == 1 && list.get(0).hasNonNull("lockedReason"));
        assertThat(seen.get(0).at("/instance/instanceId").asText()).isEqualTo(instance);
        assertThat(seen.get(0).get("recentAuthentications").findValuesAsText("kind")).containsExactly("join", "renew");
    }

    @Test
    void identitiesOfDelegatedMethodsRejoinInsteadOfRenewing(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String tokenName = "gh-renew-" + UUID.randomUUID().toString().substring(0, 6);
        Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", tokenName, "bot", bot, "joinMethod", "github",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", SigilCluster.GITHUB.url(), "audience", "sigil-e2e"))),
                null);
        String idToken = SigilCluster.GITHUB.sign(FakePlatform.claims(SigilCluster.GITHUB.url(), "sigil-e2e", Map.of("repository", "acme/app")).build());
        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", idToken, "publicKey", Bots.newPublicKey())), null);
        String challenge = Bots.challenge(cluster);

        Bots.Answer renewal = Bots.post(cluster, "/v1/renew", EventJson.write(Map.of("certificate",
                joined.body().at("/identity/tlsCertificate").asText(), "challenge", challenge, "signature", "AAAA",
                "publicKey", Bots.newPublicKey())), null);

        assertThat(renewal.status()).isEqualTo(403);
        assertThat(renewal.code()).isEqualTo("RENEWAL_NOT_ALLOWED");
    }

    private static com.fasterxml.jackson.databind.JsonNode adminGet(LocalCluster cluster, String path) throws Exception {
        var response = cluster.httpClient().send(java.net.http.HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return EventJson.MAPPER.readTree(response.body()).get("items");
    }

    private static Path join(LocalCluster cluster, Path out) throws Exception {
        LocalCluster.ProcessResult agent = Bots.agentJoin(cluster, out, Bots.newBot(cluster, List.of("deploy")));
        assertThat(agent.exitCode()).as(agent.stderr()).isZero();
        return out;
    }

    private static LocalCluster.ProcessResult renew(LocalCluster cluster, Path identity) throws Exception {
        return cluster.runAgent("renew", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(),
                "--destination", identity.toString());
    }

    private static String instanceOf(Path identity) throws Exception {
        String listing = Bots.run("ssh-keygen", "-L", "-f", identity.resolve("key-cert.pub").toString()).output();
        return listing.replaceAll("(?s).*Key ID: \"bot-[^/]+/([^\"]+)\".*", "$1");
    }
}
