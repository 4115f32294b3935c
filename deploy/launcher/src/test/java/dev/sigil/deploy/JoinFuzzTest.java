package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * Throws random and mutated bodies and tokens at {@code POST /v1/join}: whatever arrives, join-service answers,
 * quickly, and never with a 5xx. The seed is printed so a failure can be replayed ({@code -Dsigil.fuzz.seed=...}).
 */
@ExtendWith(SigilCluster.class)
class JoinFuzzTest {
    private static final int CASES = Integer.getInteger("sigil.fuzz.cases", 1500);
    private static final FakePlatform github = SigilCluster.GITHUB;

    @Test
    void randomAndMutatedJoinsNeverGetA5xxOrHang(LocalCluster cluster) throws Exception {
        long seed = Long.getLong("sigil.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String tokenName = "fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", tokenName, "bot", bot, "joinMethod", "github",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", github.url(), "audience", "fuzz"))),
                null);
        String secret = Bots.admin(cluster).createToken(bot, "1h");
        String jwt = github.sign(FakePlatform.claims(github.url(), "fuzz", Map.of("repository", "acme/app")).build());
        List<String> seeds = List.of(
                EventJson.write(Map.of("joinMethod", "token", "token", secret, "publicKey", Bots.newPublicKey())),
                EventJson.write(Map.of("joinMethod", "github", "token", tokenName, "idToken", jwt, "publicKey", Bots.newPublicKey(), "ttl", "1h")));

        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            String body = body(random, seeds, jwt);
            HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/join"))
                    .timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1)).build(),
                    HttpResponse.BodyHandlers.ofString());
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() >= 500) {
                failures.add(response.statusCode() + " for " + abbreviate(body) + " -> " + response.body());
            }
        }
        System.out.printf("join fuzz: %d cases, seed %d, statuses %s%n", CASES, seed, statuses);
        assertThat(failures).as("seed " + seed).isEmpty();
        assertThat(statuses.keySet()).as("the fuzzer reached past the parser").contains(400, 401);
    }

    @Test
    void randomAndMutatedWebhooksNeverGetA5xxOrRegisterAnything(LocalCluster cluster) throws Exception {
        long seed = Long.getLong("sigil.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        String valid = EventJson.write(Map.of("action", "created", "repository", Map.of("full_name", "acme/fuzzed",
                "owner", Map.of("login", "acme"))));
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CASES / 3; i++) {
            String path = pick(random, "/v1/webhooks/github", "/v1/webhooks/gitlab");
            String body = random.nextBoolean() ? mutate(random, valid) : randomBytes(random, random.nextInt(3000));
            // A third are signed properly, so the fuzzer also reaches the parsing behind the signature check.
            boolean signed = random.nextInt(3) == 0;
            HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path))
                    .timeout(Duration.ofSeconds(15))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.ISO_8859_1));
            request.header("X-GitHub-Event", pick(random, "repository", "workflow_job", "ping", "unknown"));
            request.header("X-GitHub-Delivery", randomBase64(random, 12));
            request.header("X-Gitlab-Event-UUID", randomBase64(random, 12));
            byte[] raw = body.getBytes(StandardCharsets.ISO_8859_1);
            request.header("X-Hub-Signature-256", signed ? "sha256=" + hmac(SigilCluster.GITHUB_WEBHOOK_SECRET, raw)
                    : pick(random, "sha256=" + randomBase64(random, 32), "sha256=zz", "sha256=", "md5=1"));
            request.header("X-Gitlab-Token", signed ? SigilCluster.GITLAB_WEBHOOK_SECRET : randomBase64(random, random.nextInt(40) + 1));
            HttpResponse<String> response = cluster.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() >= 500 || (response.statusCode() == 202 && !signed)) {
                failures.add(response.statusCode() + " for " + path + " " + abbreviate(body) + " -> " + response.body());
            }
        }
        System.out.printf("webhook fuzz: %d cases, seed %d, statuses %s%n", CASES / 3, seed, statuses);
        assertThat(failures).as("seed " + seed + ": no 5xx, and nothing unsigned accepted").isEmpty();
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static String body(Random random, List<String> seeds, String jwt) {
        return switch (random.nextInt(6)) {
            case 0 -> randomBytes(random, random.nextInt(2000));
            case 1 -> mutate(random, seeds.get(random.nextInt(seeds.size())));
            case 2 -> EventJson.write(Map.of("joinMethod", pick(random, "github", "token", "gitlab", "kubernetes", "", "x"),
                    "token", randomBytes(random, random.nextInt(80)), "idToken", mutate(random, jwt),
                    "publicKey", pick(random, "ssh-ed25519 AAAA", "ssh-rsa " + randomBytes(random, 50), "", "ssh-ed25519")));
            case 3 -> "{\"ttl\":" + pick(random, "-1", "\"-5h\"", "1e309", "\"PT-1H\"", "{}", "[]", "\"99999999999d\"", "null")
                    + ",\"token\":\"x\",\"publicKey\":\"ssh-ed25519 AAAA\"}";
            case 4 -> "[".repeat(random.nextInt(5000)) + "]".repeat(random.nextInt(5000));
            default -> "{\"joinMethod\":\"github\",\"token\":\"x\",\"idToken\":\"" + jwtLike(random, jwt) + "\"}";
        };
    }

    private static String mutate(Random random, String text) {
        StringBuilder b = new StringBuilder(text);
        int edits = 1 + random.nextInt(8);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(3)) {
                case 0 -> b.setCharAt(at, (char) random.nextInt(256));
                case 1 -> b.deleteCharAt(at);
                default -> b.insert(at, (char) random.nextInt(256));
            }
        }
        return b.toString();
    }

    /** A JWT with one segment swapped for garbage or another token's. */
    private static String jwtLike(Random random, String jwt) {
        String[] parts = jwt.split("\\.");
        parts[random.nextInt(3)] = randomBase64(random, random.nextInt(200));
        return String.join(".", parts);
    }

    private static String randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String randomBase64(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
