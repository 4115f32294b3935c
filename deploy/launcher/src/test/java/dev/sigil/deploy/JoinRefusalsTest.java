package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;

/** Every bad join gets a 4xx with a stable reason code and a sentence; none of them breaks the next good join. */
@ExtendWith(SigilCluster.class)
class JoinRefusalsTest {

    @Test
    void aTokenWorksOnceAndIsRefusedAfterwards(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");

        assertThat(Bots.join(cluster, token, Bots.newPublicKey()).status()).isEqualTo(200);
        Bots.Answer again = Bots.join(cluster, token, Bots.newPublicKey());

        assertThat(again.status()).isEqualTo(401);
        assertThat(again.code()).isEqualTo("TOKEN_ALREADY_USED");
        assertThat(again.body().get("message").asText()).contains("ask an admin for a new one");
    }

    @Test
    void aRetriedJoinGetsTheSameCertificatesAndNothingMore(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        String key = Bots.newPublicKey();
        String requestId = java.util.UUID.randomUUID().toString();
        String body = EventJson.write(Map.of("token", token, "publicKey", key, "requestId", requestId));

        Bots.Answer first = Bots.post(cluster, "/v1/join", body, null);
        Bots.Answer retry = Bots.post(cluster, "/v1/join", body, null);

        assertThat(first.status()).isEqualTo(200);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body().get("identity")).isEqualTo(first.body().get("identity"));
        assertThat(Bots.join(cluster, token, Bots.newPublicKey()).code()).as("still one use").isEqualTo("TOKEN_ALREADY_USED");
        assertRefused(Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", token, "publicKey", Bots.newPublicKey(),
                "requestId", requestId)), null), 400, "MALFORMED_REQUEST");
    }

    @Test
    void racingJoinsWithOneTokenGetExactlyOneIdentity(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Bots.Answer>> joins = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String key = Bots.newPublicKey();
                joins.add(() -> Bots.join(cluster, token, key));
            }
            List<Integer> statuses = new ArrayList<>();
            List<String> codes = new ArrayList<>();
            for (Future<Bots.Answer> f : pool.invokeAll(joins)) {
                statuses.add(f.get().status());
                if (f.get().status() != 200) {
                    codes.add(f.get().code());
                }
            }
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(1);
            assertThat(codes).hasSize(7).containsOnly("TOKEN_ALREADY_USED");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unknownAndExpiredTokensAreRefused(LocalCluster cluster) throws Exception {
        Bots.Answer unknown = Bots.join(cluster, "0123456789abcdef", Bots.newPublicKey());
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.code()).isEqualTo("TOKEN_NOT_FOUND");

        String bot = Bots.newBot(cluster, List.of("deploy"));
        String shortLived = Bots.admin(cluster).createToken(bot, "1s");
        String key = Bots.newPublicKey();
        Bots.Answer expired = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> Bots.join(cluster, shortLived, "not a key"), a -> a.code().equals("TOKEN_EXPIRED"));
        assertThat(expired.status()).isEqualTo(401);
        assertThat(Bots.join(cluster, shortLived, key).code()).isEqualTo("TOKEN_EXPIRED");
    }

    @Test
    void malformedRequestsGetReasonsAndLeaveTheTokenUsable(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");

        assertRefused(Bots.post(cluster, "/v1/join", "{not json", null), 400, "MALFORMED_REQUEST");
        assertRefused(Bots.post(cluster, "/v1/join", "", null), 400, "MALFORMED_REQUEST");
        assertRefused(Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token", token)), null), 400, "MALFORMED_REQUEST");
        assertRefused(Bots.join(cluster, token, "ssh-ed25519 AAAA-not-base64"), 400, "INVALID_PUBLIC_KEY");
        assertRefused(Bots.join(cluster, token, "ssh-dss AAAAB3NzaC1kc3MAAACBAP"), 400, "INVALID_PUBLIC_KEY");
        assertRefused(Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "carrier-pigeon",
                "token", token, "publicKey", Bots.newPublicKey())), null), 400, "UNSUPPORTED_JOIN_METHOD");
        assertRefused(Bots.post(cluster, "/v1/join", "{\"token\":\"" + "x".repeat(70_000) + "\"}", null), 413, "BODY_TOO_LARGE");

        Bots.Answer good = Bots.join(cluster, token, Bots.newPublicKey());
        assertThat(good.status()).as(good.body().toString()).isEqualTo(200);
        assertThat(good.body().at("/identity/principals/0").asText()).isEqualTo("deploy");
    }

    @Test
    void adminApiNeedsAnAdminCertificate(LocalCluster cluster) throws Exception {
        String role = EventJson.write(Map.of("name", "sneaky", "logins", List.of("root")));
        assertRefused(Bots.postAnonymously(cluster, "/v1/admin/roles", role, null), 401, "ADMIN_UNAUTHENTICATED");
        assertRefused(Bots.postAnonymously(cluster, "/v1/admin/roles", role, "not-an-admin-credential"), 401, "ADMIN_UNAUTHENTICATED");
        assertThat(Bots.post(cluster, "/v1/admin/roles", role, null).status()).isEqualTo(201);
        assertRefused(Bots.post(cluster, "/v1/admin/bots", EventJson.write(Map.of("name", "Not Valid!")),
                null), 400, "MALFORMED_REQUEST");
        assertRefused(Bots.post(cluster, "/v1/admin/bots", EventJson.write(Map.of("name", "b", "maxSessionTtl", "200h")),
                null), 400, "MALFORMED_REQUEST");
    }

    @Test
    void botsWithoutLoginsOrRolesAreRefusedWithTheFix(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of());
        Bots.Answer noLogins = Bots.join(cluster, Bots.admin(cluster).createToken(bot, "10m"), Bots.newPublicKey());
        assertRefused(noLogins, 403, "NO_PRINCIPALS");
        assertThat(noLogins.body().get("message").asText()).contains("'logins' trait");
    }

    @Test
    void aBotJoiningInALoopIsSlowedDownWithRetryAfter(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        Bots.Answer last = null;
        for (int i = 0; i < 40 && (last == null || last.status() != 429); i++) {
            last = Bots.join(cluster, token, "not a key"); // refused by the issuer, so the token stays unused
        }
        assertRefused(last, 429, "RATE_LIMITED");
        assertThat(last.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    }

    private static void assertRefused(Bots.Answer answer, int status, String code) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        assertThat(answer.code()).isEqualTo(code);
        assertThat(answer.body().get("message").asText()).as("a sentence a person can act on").hasSizeGreaterThan(20);
    }
}
