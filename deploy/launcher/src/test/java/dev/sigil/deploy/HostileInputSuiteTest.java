package dev.sigil.deploy;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.CaRotationRequest;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.RoleSpec;
import dev.sigil.contract.ServiceCertificateRequest;
import dev.sigil.contract.Topics;
import dev.sigil.deploy.HostileValues.Value;
import dev.sigil.deploy.HostileValues.Variant;
import dev.sigil.join.admin.AdminResource;
import dev.sigil.join.joinmethod.FakePlatform;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.renew.RenewResource;

/**
 * The hostile-input suite (issue 11, item 7), against the shared Sigil: no single record, request or platform token
 * can hurt it.
 * <ol>
 * <li>Platform tokens are re-encoded in every way that decodes to the same bytes (unused low bits of the last
 * base64url character, '=' padding, the '+'/'/' alphabet, whitespace, and for ES256 the malleable signature
 * (r, n-s)) and presented, also for other bots whose join tokens allow the same JWT: exactly one join per signed
 * token succeeds.</li>
 * <li>Hostile values in every field ({@link HostileValues} walks the records) are sent through the HTTP API:
 * joins, renewals, the admin API's creation endpoints and the GitHub and GitLab webhooks, signed and not. Every answer
 * comes in time and is never a 5xx; every refusal is JSON {@code {code, message}}; every value that breaks a name's
 * grammar or a field's type is refused.</li>
 * <li>Records go straight onto every input topic: random bytes, wrong JSON types, nulls, huge values, thousands
 * of outputs, hostile values in every field of {@code IssueRequest} and {@code OutputRequest} and of each topic's
 * own record, and the two requests seen to stop the CA. Each issue (and service-certificate) request carries a
 * request id and the reply headers and must be answered on its results topic or dead-lettered with a reason; none
 * that breaks a grammar is issued, and no hostile value ends up in a certificate. Issue requests are signed as
 * join-service, as if it were compromised, so they meet the issuer's own checks behind its sender check; unsigned,
 * wrongly signed and other services' join requests must not be issued either.</li>
 * <li>Afterwards every service process is alive and its {@code /q/health} is UP (Kafka Streams RUNNING), and a
 * normal join succeeds.</li>
 * </ol>
 * The counts are printed in one block. Runs after the other tests on the shared Sigil (its records stay on the topics
 * they were put on) and before the attack suite, whose sweep then reads what this suite provoked. The seed of the
 * random parts is printed ({@code -Dsigil.hostile.seed=...} replays it).
 */
@ExtendWith(SigilCluster.class)
@Order(Integer.MAX_VALUE - 1)
class HostileInputSuiteTest {
    /** On every record the suite writes: which case it is, so dead letters can be traced back to it. */
    private static final String CASE_HEADER = "sigil-hostile-case";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(60);
    /** Below join-service's per-bot burst (20), so hostile joins reach the issuer instead of a 429. */
    private static final int JOINS_PER_BOT = 15;
    private static final int HTTP_CLIENTS = 3;
    /** The order of P-256, for the malleable twin (r, n-s) of an ES256 signature. */
    private static final BigInteger P256_ORDER = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final FakePlatform github = SigilCluster.GITHUB;

    @TempDir
    Path dir;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final long seed = Long.getLong("sigil.hostile.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final AtomicInteger names = new AtomicInteger();
    private final Set<String> hostileStrings = new HashSet<>();
    private LocalCluster cluster;
    private AdminClient admin;
    private String wideRole;
    private String wideBot;
    private String spiffeBot;
    private String databaseBot;
    /** A real answer to a join, the base of the hostile records on sigil.issue.results. */
    private JsonNode realResult;

    // What the records on Kafka did.
    private final Map<String, KafkaCase> cases = new ConcurrentHashMap<>();
    /** Service-certificate requests by the request id they carry: the contract answers them by request id. */
    private final Map<String, String> serviceCertificateCases = new ConcurrentHashMap<>();
    private final Set<String> notWritten = ConcurrentHashMap.newKeySet();
    private final Queue<String> notWrittenWhy = new ConcurrentLinkedQueue<>();
    private final Set<String> topicsWritten = new TreeSet<>();
    private final List<String> deliveryKeys = new ArrayList<>();
    private final List<Runnable> onHostileState = new ArrayList<>();
    private KafkaProducer<String, byte[]> producer;
    /** The holder key of the issue requests the suite writes to Kafka (the issuer does not care whose it is). */
    private String kafkaKey;
    private boolean hostileStateSeen;
    /**
     * Whom the issue requests the suite puts on Kafka are signed as: join-service, as if it were compromised or
     * wrong, so they get past the issuer's sender check to the checks behind it. Null: unsigned.
     */
    private RequestSignatures.Signer signer;
    /** The join token (on sigil.join-tokens) that the Kafka issue requests of each bot name, as join-service's would. */
    private final Map<String, String> kafkaJoinTokens = new ConcurrentHashMap<>();

    // What the HTTP requests did.
    private final AtomicInteger httpTried = new AtomicInteger();
    private final AtomicInteger httpAnswered = new AtomicInteger();
    private final AtomicInteger httpSkipped = new AtomicInteger();
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, Integer> casesByGroup = new TreeMap<>();
    private final Queue<String> fiveHundreds = new ConcurrentLinkedQueue<>();
    private final Queue<String> hangs = new ConcurrentLinkedQueue<>();
    private final Queue<String> connectionFailures = new ConcurrentLinkedQueue<>();
    private final Queue<String> notCodeAndMessage = new ConcurrentLinkedQueue<>();
    private final Queue<String> hostileAccepted = new ConcurrentLinkedQueue<>();
    private final Queue<String> notPrepared = new ConcurrentLinkedQueue<>();
    private final Queue<String> acceptedDeliveries = new ConcurrentLinkedQueue<>();
    private final Map<Integer, String> joinBots = new HashMap<>();
    /** Why the HTTP phase stopped early: the issuer went down, so every further join would wait for nothing. */
    private volatile String issuerDown;

    // What the replayed platform tokens did.
    private final List<String> signedTokens = new ArrayList<>();
    private int presentations;
    private int firstUsesAccepted;
    private final List<String> replaysAccepted = new ArrayList<>();
    private final Map<String, Integer> replayAnswers = new TreeMap<>();

    private final Map<String, Duration> phases = new LinkedHashMap<>();

    interface Phase {
        void run() throws Exception;
    }

    /** A record the suite put on a topic; a request expects an answer, and one that must be refused must not be issued. */
    record KafkaCase(String id, String topic, String what, boolean request, boolean mustBeRefused, boolean counted) {
    }

    @Test
    void noRecordRequestOrPlatformTokenHurtsSigil(LocalCluster cluster) throws Exception {
        this.cluster = cluster;
        this.admin = Bots.admin(cluster);
        long started = System.nanoTime();
        hostileStrings.addAll(HostileValues.STRINGS);
        hostileStrings.addAll(HostileValues.COMPACT);
        Map<LocalCluster.Replica, Long> processes = processes();
        setUpBots();

        timed("replays", this::replayPlatformTokens);
        timed("HTTP", this::sendHostileHttp);
        Answers answers = putHostileRecords();
        timed("clean-up", this::removeDeliveries);

        Map<String, String> unhealthy = new TreeMap<>();
        timed("health", () -> unhealthy.putAll(awaitHealthy()));
        List<String> deaths = deaths(processes);
        int normalJoin = normalJoin();
        answers.poll();
        Evaluation kafka = answers.evaluate();
        answers.close();

        report(kafka, unhealthy, deaths, processes.size(), normalJoin, Duration.ofNanos(System.nanoTime() - started));
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(kafka.unanswered).as("issue and service-certificate requests with no answer and no dead letter").isEmpty();
            softly.assertThat(kafka.deadLetteredWithoutReason).as("dead letters without a reason").isEmpty();
            softly.assertThat(kafka.hostileIssued).as("records with a value that breaks a grammar or type, issued").isEmpty();
            softly.assertThat(kafka.hostileInCertificates).as("hostile values in issued certificates").isEmpty();
            softly.assertThat(fiveHundreds).as("5xx answers").isEmpty();
            softly.assertThat(hangs).as("HTTP requests not answered within " + HTTP_TIMEOUT).isEmpty();
            softly.assertThat(connectionFailures).as("HTTP requests whose connection failed").isEmpty();
            softly.assertThat(httpSkipped.get()).as("HTTP requests not sent because the issuer was down: " + issuerDown).isZero();
            softly.assertThat(httpAnswered.get()).as("every HTTP request answered").isEqualTo(httpTried.get());
            softly.assertThat(notCodeAndMessage).as("4xx answers that are not JSON {code, message}").isEmpty();
            softly.assertThat(hostileAccepted).as("hostile HTTP requests accepted").isEmpty();
            softly.assertThat(notPrepared).as("cases the suite could not prepare (admin API failing)").isEmpty();
            softly.assertThat(firstUsesAccepted).as("first use of each signed platform token " + signedTokens).isEqualTo(signedTokens.size());
            softly.assertThat(replaysAccepted).as("re-encoded or re-presented platform tokens accepted").isEmpty();
            softly.assertThat(deaths).as("service processes that died").isEmpty();
            softly.assertThat(unhealthy).as("services not UP with Kafka Streams RUNNING").isEmpty();
            softly.assertThat(normalJoin).as("a normal join after all of it").isEqualTo(200);
        });
    }

    /** How long each part took, for the report. */
    private void timed(String phase, Phase body) throws Exception {
        long start = System.nanoTime();
        try {
            body.run();
        } finally {
            phases.merge(phase, Duration.ofNanos(System.nanoTime() - start), Duration::plus);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Set-up

    private void setUpBots() throws Exception {
        // One role reaching everything with '*', so every hostile output value gets past policy to the CA.
        wideRole = name("wide");
        admin.post("/v1/admin/roles", roleBody(wideRole, "*"));
        wideBot = newBot(wideRole);
        // The two requests seen to stop the CA, with the roles they were seen with.
        String spiffeRole = name("spiffe");
        admin.post("/v1/admin/roles", Map.of("name", spiffeRole, "logins", List.of("{{internal.logins}}"), "spiffePaths", List.of("/svc/*")));
        spiffeBot = newBot(spiffeRole);
        String databaseRole = name("database");
        admin.post("/v1/admin/roles", Map.of("name", databaseRole, "logins", List.of("{{internal.logins}}"),
                "databases", List.of("*"), "databaseUsers", List.of("*")));
        databaseBot = newBot(databaseRole);
        Bots.Answer joined = Bots.join(cluster, admin.createToken(wideBot, "10m"), Bots.newPublicKey());
        if (joined.status() != 200) {
            throw new IllegalStateException("Sigil does not issue before the suite starts: " + joined.status() + " " + joined.body());
        }
        realResult = joined.body();
    }

    /** A role body; {@code glob} is what it allows for applications, databases and their users, host names and SPIFFE paths. */
    private static Map<String, Object> roleBody(String name, String glob) {
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("name", name);
        role.put("logins", List.of("{{internal.logins}}"));
        role.put("apps", List.of(glob));
        role.put("databases", List.of(glob));
        role.put("databaseUsers", List.of(glob));
        role.put("kubernetesGroups", List.of("viewers"));
        role.put("kubernetesUsers", List.of("bot")); // Kubernetes users and groups are names, not patterns
        role.put("sshHostNames", List.of(glob));
        role.put("spiffePaths", List.of(glob.equals("*") ? "*" : "/svc/*"));
        role.put("maxSessionTtl", "1h");
        return role;
    }

    private String newBot(String role) throws IOException, InterruptedException {
        String bot = name("bot");
        admin.createBot(bot, List.of(role), List.of("deploy"));
        return bot;
    }

    /** A fresh valid name for something this run creates. */
    private String name(String what) {
        return "hostile-" + run + "-" + what + "-" + names.incrementAndGet();
    }

    /** A valid output of the kind for the wide role, with what the kind needs. */
    private static ObjectNode baseOutput(String kind, String publicKey) {
        ObjectNode output = JSON.objectNode().put("name", "out-" + kind.replace('_', '-')).put("kind", kind);
        if (publicKey != null) {
            output.put("publicKey", publicKey);
        }
        switch (kind) {
            case OutputRequest.APPLICATION -> output.put("app", "grafana");
            case OutputRequest.DATABASE -> output.put("databaseService", "pg-main").put("databaseUser", "reader").put("databaseName", "app");
            case OutputRequest.KUBERNETES -> output.put("kubernetesCluster", "prod");
            case OutputRequest.SSH_HOST -> output.set("hostNames", JSON.arrayNode().add("h1.example.com"));
            case OutputRequest.WORKLOAD_IDENTITY -> output.put("spiffePath", "/svc/api");
            default -> {
            }
        }
        return output;
    }

    /**
     * Hostile variants of each {@code OutputRequest} field, each on an output of the kind that uses it (a database
     * user on a database output); the fields every kind has go on an identity output.
     */
    private static List<Variant> outputVariants(String kind, List<String> strings) {
        Set<String> common = fieldNames(baseOutput(OutputRequest.IDENTITY, "k"));
        Set<String> specific = new HashSet<>();
        for (String k : OutputRequest.KINDS) {
            specific.addAll(fieldNames(baseOutput(k, "k")));
        }
        specific.removeAll(common);
        Set<String> mine = fieldNames(baseOutput(kind, "k"));
        mine.removeAll(common);
        return new HostileValues(strings, 1).walk(OutputRequest.class, baseOutput(kind, "k")).stream().filter(v -> {
            String field = (String) v.path().get(0);
            return kind.equals(OutputRequest.IDENTITY) ? !specific.contains(field) : mine.contains(field);
        }).toList();
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Variant under(Variant variant, Object... prefix) {
        List<Object> path = new ArrayList<>(List.of(prefix));
        path.addAll(variant.path());
        return new Variant(path, variant.value());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 1. Platform tokens, re-encoded and replayed

    private void replayPlatformTokens() throws Exception {
        String audience = "hostile-" + run;
        String repository = "acme/replay-" + run;
        List<String> githubTokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String token = name("gh");
            admin.post("/v1/admin/tokens", Map.of("name", token, "bot", newBot(wideRole), "joinMethod", "github",
                    "allow", List.of(Map.of("repository", repository)), "config", Map.of("issuer", github.url(), "audience", audience)));
            githubTokens.add(token);
        }
        String rs256 = github.sign(FakePlatform.claims(github.url(), audience, Map.of("repository", repository)).build());
        replay("RS256 (github)", "github", githubTokens, rs256, reencodings(rs256));

        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("hostile-es256").generate();
        String issuer = "https://gitlab.hostile-" + run + ".test";
        List<String> gitlabTokens = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String token = name("gl");
            admin.post("/v1/admin/tokens", Map.of("name", token, "bot", newBot(wideRole), "joinMethod", "gitlab",
                    "allow", List.of(Map.of("project_path", "acme/replay")), "config", Map.of("issuer", issuer,
                            "static_jwks", new JWKSet(key.toPublicJWK()).toString(), "audience", audience)));
            gitlabTokens.add(token);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(),
                FakePlatform.claims(issuer, audience, Map.of("project_path", "acme/replay")).build());
        jwt.sign(new ECDSASigner(key));
        String es256 = jwt.serialize();
        Map<String, String> variants = new LinkedHashMap<>();
        String twin = malleableTwin(es256);
        variants.put("signature (r, n-s)", twin);
        variants.put("signature (r, n-s) with '=' padding", withSegment(twin, 2, padded(twin.split("\\.")[2])));
        variants.putAll(reencodings(es256));
        replay("ES256 (gitlab)", "gitlab", gitlabTokens, es256, variants);
    }

    /**
     * Presents a signed token: first as it is to the first join token (which must work), then to the other bots'
     * join tokens that allow it, then each re-encoding in turn across all of them. Only the first may join.
     */
    private void replay(String what, String method, List<String> tokens, String signed, Map<String, String> variants) throws Exception {
        signedTokens.add(what);
        int first = present(method, tokens.get(0), signed, what + " first use");
        if (first == 200) {
            firstUsesAccepted++;
        } else {
            replayAnswers.merge("first use " + first, 1, Integer::sum);
        }
        List<Map.Entry<String, String>> again = new ArrayList<>();
        for (int i = 1; i < tokens.size(); i++) {
            again.add(Map.entry("the same token for another bot's join token", signed));
        }
        again.addAll(variants.entrySet());
        int i = 1;
        for (Map.Entry<String, String> variant : again) {
            String token = tokens.get(i++ % tokens.size());
            if (present(method, token, variant.getValue(), what + " " + variant.getKey()) == 200) {
                replaysAccepted.add(what + ", " + variant.getKey() + ", for join token " + token);
            }
        }
    }

    /** One join with the platform token; a 429 (the per-bot limit) is waited out, it is not an answer to the replay. */
    private int present(String method, String joinToken, String idToken, String what) {
        String body = EventJson.write(Map.of("joinMethod", method, "token", joinToken, "idToken", idToken, "publicKey", Bots.newPublicKey()));
        presentations++;
        HttpResponse<String> response = sendWaitingOutRateLimit(what, () -> postJson("/v1/join", body, null));
        if (response == null) {
            return -1;
        }
        int status = response.statusCode();
        if (status >= 500) {
            fiveHundreds.add("replay: " + what + " -> " + status + " " + abbreviate(response.body()));
        } else if (status != 200) {
            replayAnswers.merge(status + " " + code(response.body()), 1, Integer::sum);
        }
        return status;
    }

    /**
     * Sends the request (built afresh each time) until it is answered with something other than 429: the per-bot
     * limit is waited out, it is no answer to the case. Null, with the hang or failure counted, when none came.
     */
    private HttpResponse<String> sendWaitingOutRateLimit(String what, Callable<HttpRequest> request) {
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
                last.set(cluster.httpClient().send(request.call(), HttpResponse.BodyHandlers.ofString()));
                return last.get().statusCode() != 429;
            });
        } catch (ConditionTimeoutException e) {
            // still 429 after 30 s: counted as the answer it is
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IOException)) {
                cause = cause.getCause();
            }
            if (cause instanceof HttpTimeoutException) {
                hangs.add(what);
            } else {
                connectionFailures.add(what + ": " + cause);
            }
            return null;
        }
        return last.get();
    }

    /** The ways to write a JWT that decode to the same header, payload and signature bytes. */
    private static Map<String, String> reencodings(String jwt) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] parts = jwt.split("\\.");
        String[] names = { "header", "payload", "signature" };
        for (int i = 2; i >= 0; i--) {
            String segment = parts[i];
            int limit = i == 2 ? Integer.MAX_VALUE : 3; // all of the signature's, a few of the others'
            for (String other : lowBitTwins(segment).stream().limit(limit).toList()) {
                out.put(names[i] + " ending in '" + other.charAt(other.length() - 1) + "' (other unused low bits)", withSegment(jwt, i, other));
            }
            if (!padded(segment).equals(segment)) {
                out.put(names[i] + " with '=' padding", withSegment(jwt, i, padded(segment)));
            }
            String standard = segment.replace('-', '+').replace('_', '/');
            if (!standard.equals(segment)) {
                out.put(names[i] + " in the '+'/'/' alphabet", withSegment(jwt, i, standard));
            }
            out.put(names[i] + " with a line break inside", withSegment(jwt, i,
                    segment.substring(0, segment.length() / 2) + "\n" + segment.substring(segment.length() / 2)));
        }
        out.put("a leading space", " " + jwt);
        out.put("a trailing newline", jwt + "\n");
        out.put("a tab before and CRLF after", "\t" + jwt + "\r\n");
        out.put("a no-break space before", "\u00a0" + jwt);
        return out;
    }

    /** The same bytes with the last character's unused low bits set otherwise: 15 twins for 4 bits, 3 for 2. */
    private static List<String> lowBitTwins(String segment) {
        int unused = switch (segment.length() % 4) {
            case 2 -> 4;
            case 3 -> 2;
            default -> 0;
        };
        List<String> twins = new ArrayList<>();
        int last = BASE64URL.indexOf(segment.charAt(segment.length() - 1));
        int high = last & ~((1 << unused) - 1);
        for (int low = 0; low < (1 << unused); low++) {
            if ((high | low) != last) {
                twins.add(segment.substring(0, segment.length() - 1) + BASE64URL.charAt(high | low));
            }
        }
        return twins;
    }

    private static String padded(String segment) {
        return segment + "=".repeat((4 - segment.length() % 4) % 4);
    }

    private static String withSegment(String jwt, int index, String segment) {
        String[] parts = jwt.split("\\.", -1);
        parts[index] = segment;
        return String.join(".", parts);
    }

    /** An ES256 JWT with its signature's twin (r, n-s), which verifies just as well. */
    private static String malleableTwin(String jwt) {
        byte[] signature = Base64.getUrlDecoder().decode(jwt.split("\\.")[2]);
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        byte[] twinS = P256_ORDER.subtract(s).toByteArray();
        byte[] twin = Arrays.copyOf(signature, 64);
        Arrays.fill(twin, 32, 64, (byte) 0);
        int length = Math.min(32, twinS.length);
        System.arraycopy(twinS, twinS.length - length, twin, 64 - length, length);
        return withSegment(jwt, 2, Base64.getUrlEncoder().withoutPadding().encodeToString(twin));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 2. The HTTP API

    /** A request the suite sends; one that must be refused must get a 4xx. */
    record HttpCase(String group, String what, boolean mustBeRefused, Callable<HttpRequest> request) {
    }

    private void sendHostileHttp() throws Exception {
        List<HttpCase> all = new ArrayList<>();
        all.addAll(adminCases());
        all.addAll(webhookCases());
        all.addAll(rawBodyCases());
        all.addAll(joinCases()); // last: a join that stops the CA makes every later join wait for nothing
        all.forEach(c -> casesByGroup.merge(c.group(), 1, Integer::sum));
        ExecutorService clients = Executors.newFixedThreadPool(HTTP_CLIENTS);
        try {
            for (HttpCase c : all) {
                clients.execute(() -> send(c));
            }
        } finally {
            clients.shutdown();
            if (!clients.awaitTermination(5, TimeUnit.MINUTES)) {
                clients.shutdownNow();
            }
        }
        renewals(); // one after the other: each renewal moves its identity's generation on
    }

    private void send(HttpCase c) {
        if (issuerDown != null) {
            httpSkipped.incrementAndGet();
            return;
        }
        HttpRequest request;
        try {
            request = c.request().call();
        } catch (Exception e) {
            notPrepared.add(c.what() + ": " + e);
            return;
        }
        httpTried.incrementAndGet();
        try {
            HttpResponse<String> response = cluster.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
            classify(c.what(), c.mustBeRefused(), response.statusCode(), response.body());
            if (response.statusCode() == 201 && c.group().equals("admin /v1/admin/deliveries")) {
                acceptedDeliveries.add(EventJson.MAPPER.readTree(response.body()).path("id").asText());
            }
        } catch (HttpTimeoutException e) {
            hangs.add(c.what());
        } catch (IOException e) {
            connectionFailures.add(c.what() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts an answer: a 5xx, a refusal that is not {code, message}, or a hostile request that got through. */
    private void classify(String what, boolean mustBeRefused, int status, String body) {
        httpAnswered.incrementAndGet();
        statuses.merge(status, 1, Integer::sum);
        if (status >= 500) {
            fiveHundreds.add(what + " -> " + status + " " + abbreviate(body));
            if (status == 503 && !healthy(new LocalCluster.Replica(Service.ISSUER, 0), new HashMap<>())) {
                issuerDown = "after " + what + " the issuer's /q/health is not UP";
            }
        } else if (status >= 400) {
            if (!isCodeAndMessage(body)) {
                notCodeAndMessage.add(what + " -> " + status + " " + abbreviate(body));
            }
        } else if (mustBeRefused) {
            hostileAccepted.add(what + " -> " + status + " " + abbreviate(body));
        }
    }

    private static boolean isCodeAndMessage(String body) {
        try {
            JsonNode json = EventJson.MAPPER.readTree(body);
            return json != null && json.isObject() && json.path("code").isTextual() && !json.path("code").asText().isEmpty()
                    && json.path("message").isTextual();
        } catch (IOException e) {
            return false;
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).timeout(HTTP_TIMEOUT);
    }

    private HttpRequest postJson(String path, String body, String bearer) {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    private static String write(JsonNode node) {
        try {
            return EventJson.MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Joins with a fresh one-time token per case: hostile top-level fields, then every output field of every kind. */
    private List<HttpCase> joinCases() {
        List<HttpCase> out = new ArrayList<>();
        String key = Bots.newPublicKey();
        AtomicInteger index = new AtomicInteger();
        ObjectNode sample = joinBody("secret", key, List.of(baseOutput(OutputRequest.IDENTITY, key)));
        sample.set("previousIdentity", JSON.objectNode().put("certificate", "c").put("challenge", "c").put("signature", "s"));
        sample.set("stsRequest", JSON.objectNode().put("body", "b").set("headers", JSON.objectNode().put("Authorization", "a")));
        // The token method ignores the proofs of the other methods: hostile text there need only not hurt.
        Predicate<String> checked = p -> Stream.of("idToken", "challenge", "signature", "stsRequest").noneMatch(p::startsWith);
        for (Variant v : new HostileValues(HostileValues.COMPACT, 2).walk(JoinRequest.class, sample)) {
            if (!v.where().startsWith("outputs[")) {
                out.add(joinCase(index.getAndIncrement(), "join " + v.describe(), v.mustBeRefused(checked),
                        secret -> HostileValues.apply(joinBody(secret, key, List.of(baseOutput(OutputRequest.IDENTITY, key))), v)));
            }
        }
        for (String kind : OutputRequest.KINDS) {
            for (Variant v : outputVariants(kind, HostileValues.STRINGS)) {
                out.add(joinCase(index.getAndIncrement(), "join outputs[0]." + v.describe() + " (" + kind + ")", v.mustBeRefused(p -> true),
                        secret -> HostileValues.apply(joinBody(secret, key, List.of(baseOutput(kind, key))), under(v, "outputs", 0))));
            }
        }
        for (int count : new int[] { Names.MAX_OUTPUTS + 1, 1000 }) {
            out.add(joinCase(index.getAndIncrement(), "join with " + count + " outputs", true, secret -> {
                List<ObjectNode> outputs = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    outputs.add(count > 100 ? JSON.objectNode().put("kind", "identity") : baseOutput(OutputRequest.IDENTITY, key).put("name", "o" + i));
                }
                return joinBody(secret, key, outputs);
            }));
        }
        // The two joins seen to stop the CA, for the roles they were seen with.
        out.add(killerJoin(spiffeBot, "join workload-identity-x509 spiffePath \"/svc/a b\" for a role allowing /svc/*",
                baseOutput(OutputRequest.WORKLOAD_IDENTITY, key).put("spiffePath", "/svc/a b"), key));
        out.add(killerJoin(databaseBot, "join database databaseUser \"#300000\" for a role allowing *",
                baseOutput(OutputRequest.DATABASE, key).put("databaseUser", "#300000"), key));
        return out;
    }

    private HttpCase joinCase(int index, String what, boolean mustBeRefused, Function<String, ObjectNode> body) {
        return new HttpCase("join", what, mustBeRefused, () -> {
            String secret = admin.createToken(joinBot(index / JOINS_PER_BOT), "10m");
            return postJson("/v1/join", write(body.apply(secret)), null);
        });
    }

    private HttpCase killerJoin(String bot, String what, ObjectNode output, String key) {
        return new HttpCase("join", what, true, () -> postJson("/v1/join",
                write(joinBody(admin.createToken(bot, "10m"), key, List.of(output))), null));
    }

    private synchronized String joinBot(int group) throws IOException, InterruptedException {
        String bot = joinBots.get(group);
        if (bot == null) {
            bot = newBot(wideRole);
            joinBots.put(group, bot);
        }
        return bot;
    }

    private static ObjectNode joinBody(String secret, String publicKey, List<ObjectNode> outputs) {
        ObjectNode body = JSON.objectNode().put("joinMethod", "token").put("token", secret).put("publicKey", publicKey)
                .put("ttl", "10m").put("requestId", UUID.randomUUID().toString());
        ArrayNode list = body.putArray("outputs");
        outputs.forEach(list::add);
        return body;
    }

    /** Every creation endpoint of the admin API, with hostile values in each field of what it creates. */
    private List<HttpCase> adminCases() {
        List<HttpCase> out = new ArrayList<>();
        HostileValues compact = new HostileValues(HostileValues.COMPACT, 2);
        String key = Bots.newPublicKey();

        admin(out, "/v1/admin/roles", compact.walk(RoleSpec.class, roles(name("sample"))), p -> true,
                () -> roles(name("r")));
        admin(out, "/v1/admin/bots", compact.walk(BotSpec.class, bots(name("sample"))), p -> true,
                () -> bots(name("b")));
        // Allow rules and most config are matched against claims, never written anywhere: they need only not hurt.
        admin(out, "/v1/admin/tokens", compact.walk(AdminResource.TokenRequest.class, tokens(name("sample"))),
                p -> Stream.of("name", "bot", "joinMethod", "ttl").anyMatch(p::equals), () -> tokens(name("t")));
        admin(out, "/v1/admin/locks", compact.walk(AdminResource.LockRequest.class, locks(name("sample"))),
                p -> p.equals("target"), () -> locks(name("l")));
        admin(out, "/v1/admin/leaf-clusters", compact.walk(LeafClusterSpec.class, leaf(name("sample"), key)), p -> true,
                () -> leaf(name("c"), key));
        // A destination's Kubernetes secret name and namespace mean nothing for a directory destination.
        List<Variant> deliveries = new ArrayList<>(compact.walk(DeliverySpec.class, delivery(name("sample"), "http")).stream()
                .filter(v -> !v.where().equals("destination.path")).toList());
        deliveries.addAll(destinationPaths());
        admin(out, "/v1/admin/deliveries", deliveries,
                p -> !p.equals("destination.name") && !p.equals("destination.namespace"), () -> delivery(name("d"), "http"));
        // The CA is shared by every test: the rotation always names a phase that does not exist, so all is refused.
        List<Variant> rotations = compact.walk(AdminResource.RotationRequest.class, rotation());
        for (Variant v : rotations) {
            out.add(new HttpCase("admin /v1/admin/ca/rotation", "POST /v1/admin/ca/rotation " + v.describe(), true,
                    () -> postJson("/v1/admin/ca/rotation", write(HostileValues.apply(rotation(), v)), null)));
        }
        return out;
    }

    private void admin(List<HttpCase> out, String path, List<Variant> variants, Predicate<String> checked,
            java.util.function.Supplier<ObjectNode> base) {
        for (Variant v : variants) {
            out.add(new HttpCase("admin " + path, "POST " + path + " " + v.describe(), v.mustBeRefused(checked),
                    () -> postJson(path, write(HostileValues.apply(base.get(), v)), null)));
        }
    }

    /** A valid role with every field set, the base of the hostile roles. */
    private static ObjectNode roles(String name) {
        ObjectNode role = JSON.objectNode().put("name", name);
        role.putArray("logins").add("{{internal.logins}}");
        role.putArray("apps").add("grafana");
        role.putArray("databases").add("pg-main");
        role.putArray("databaseUsers").add("reader");
        role.putArray("kubernetesGroups").add("viewers");
        role.putArray("kubernetesUsers").add("bot");
        role.putObject("sshOptions").put("portForwarding", true).put("agentForwarding", false);
        role.put("maxSessionTtl", "1h").put("requireSessionMfa", false);
        role.putArray("sshHostNames").add("*.example.com");
        role.putArray("spiffePaths").add("/svc/*");
        return role;
    }

    private ObjectNode bots(String name) {
        return EventJson.MAPPER.valueToTree(new BotSpec(name, List.of(wideRole), Map.of("logins", List.of("deploy")), Duration.ofHours(1)));
    }

    private ObjectNode tokens(String name) {
        return EventJson.MAPPER.valueToTree(Map.of("name", name, "bot", wideBot, "joinMethod", "github", "ttl", "1h",
                "allow", List.of(Map.of("repository", "acme/app")), "config", Map.of("issuer", github.url(), "audience", "hostile")));
    }

    private static ObjectNode locks(String name) {
        return JSON.objectNode().put("target", "bot:" + name).put("reason", "hostile-input suite").put("ttl", "1m");
    }

    private static ObjectNode leaf(String name, String hostCa) {
        return EventJson.MAPPER.valueToTree(new LeafClusterSpec(name, hostCa));
    }

    /** A valid delivery of an identity for the wide bot, to a directory under the suite's temporary directory. */
    private ObjectNode delivery(String id, String where) {
        ObjectNode delivery = JSON.objectNode().put("id", id).put("bot", wideBot).put("ttl", "1h");
        delivery.putObject("output").put("kind", OutputRequest.IDENTITY);
        delivery.putObject("destination").put("type", DeliverySpec.Destination.DIRECTORY)
                .put("path", dir.resolve(where + "-" + id).toString());
        return delivery;
    }

    private static ObjectNode rotation() {
        return JSON.objectNode().put("phase", "no-such-phase").put("spread", "10m");
    }

    /** Destination paths that must be refused; all stay under the suite's temporary directory or are relative. */
    private List<Variant> destinationPaths() {
        String base = dir.toString();
        List<String> paths = List.of(base + "/a b", base + "/../../etc", base + "/x\ny", base + "/#300000",
                base + "/\u0000", base + "//x", base + "/日本", "relative/path", "", base + "/" + "x".repeat(2000));
        return paths.stream().map(p -> new Variant(List.of("destination", "path"),
                new Value(HostileValues.label(p.startsWith(base) ? "<tmp>" + p.substring(base.length()) : p),
                        JSON.textNode(p), HostileValues.Breaks.GRAMMAR))).toList();
    }

    /**
     * GitHub and GitLab webhooks: repositories and job ids with hostile names, signed (they must be refused on
     * their content) and signed wrongly (refused on the signature).
     */
    private List<HttpCase> webhookCases() {
        List<HttpCase> out = new ArrayList<>();
        List<String> repositories = new ArrayList<>();
        for (String s : HostileValues.COMPACT) {
            repositories.add("acme/" + s);
        }
        repositories.addAll(List.of("other-org/app", "acme", "acme/app/../../x", "/acme/app"));
        // Events that grant something carry fresh timestamps, so they are refused for what they name, not for their age.
        String now = Instant.now().toString();
        for (String repository : repositories) {
            String body = EventJson.write(Map.of("action", "created", "repository", Map.of("full_name", repository,
                    "owner", Map.of("login", "acme"), "created_at", now, "updated_at", now)));
            out.addAll(github("repository created " + HostileValues.label(repository), "repository", body));
        }
        List<JsonNode> jobIds = new ArrayList<>();
        HostileValues.COMPACT.forEach(s -> jobIds.add(JSON.textNode(s)));
        jobIds.addAll(List.of(JSON.textNode("../../etc/passwd"), JSON.textNode("12/../../x"), JSON.textNode("-1"), JSON.numberNode(1.5),
                JSON.numberNode(new BigInteger("1" + "0".repeat(30))), JSON.objectNode(), JSON.arrayNode()));
        for (JsonNode id : jobIds) {
            ObjectNode body = JSON.objectNode().put("action", "in_progress");
            body.set("repository", EventJson.MAPPER.valueToTree(Map.of("full_name", "acme/app", "owner", Map.of("login", "acme"))));
            ObjectNode job = body.putObject("workflow_job");
            job.set("id", id);
            job.putArray("labels").add("self-hosted");
            job.put("created_at", now).put("started_at", now);
            out.addAll(github("workflow_job in_progress id " + abbreviate(id.toString(), 40), "workflow_job", write(body)));
        }
        for (String s : HostileValues.COMPACT) {
            for (String project : List.of("acme-group/" + s, s)) {
                String body = EventJson.write(Map.of("event_name", "project_create", "path_with_namespace", project,
                        "created_at", now, "updated_at", now));
                for (boolean signed : new boolean[] { true, false }) {
                    out.add(new HttpCase("webhook gitlab", "gitlab project_create " + HostileValues.label(project)
                            + (signed ? "" : ", wrong token"), true, () -> request("/v1/webhooks/gitlab")
                                    .header("X-Gitlab-Token", signed ? SigilCluster.GITLAB_WEBHOOK_SECRET : "wrong")
                                    .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build()));
                }
            }
        }
        out.add(new HttpCase("webhook github", "github delivery id blank", true, () -> githubRequest("ping", "{}",
                SigilCluster.GITHUB_WEBHOOK_SECRET, " ")));
        return out;
    }

    private List<HttpCase> github(String what, String event, String body) {
        return List.of(
                new HttpCase("webhook github", "github " + what, true,
                        () -> githubRequest(event, body, SigilCluster.GITHUB_WEBHOOK_SECRET, UUID.randomUUID().toString())),
                new HttpCase("webhook github", "github " + what + ", signed with another secret", true,
                        () -> githubRequest(event, body, "not-the-secret", UUID.randomUUID().toString())));
    }

    private HttpRequest githubRequest(String event, String body, String secret, String delivery) throws Exception {
        return request("/v1/webhooks/github").header("X-GitHub-Event", event).header("X-GitHub-Delivery", delivery)
                .header("X-Hub-Signature-256", "sha256=" + WebhookEndToEndTest.hmac(secret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    /** Bodies that are not the JSON object an endpoint reads, for every endpoint (webhooks properly signed). */
    private List<HttpCase> rawBodyCases() {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("random text", randomText(300));
        bodies.put("an empty body", "");
        bodies.put("JSON null", "null");
        bodies.put("a JSON array", "[]");
        bodies.put("a JSON string", "\"str\"");
        bodies.put("truncated JSON", "{\"name\":");
        bodies.put("3000 nested arrays", "[".repeat(3000) + "]".repeat(3000));
        List<HttpCase> out = new ArrayList<>();
        List<String> admin = List.of("/v1/admin/roles", "/v1/admin/bots", "/v1/admin/tokens", "/v1/admin/locks",
                "/v1/admin/leaf-clusters", "/v1/admin/deliveries", "/v1/admin/ca/rotation");
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            for (String path : List.of("/v1/join", "/v1/renew")) {
                out.add(new HttpCase("raw bodies", path + " " + body.getKey(), true, () -> postJson(path, body.getValue(), null)));
            }
            for (String path : admin) {
                out.add(new HttpCase("raw bodies", path + " " + body.getKey(), true,
                        () -> postJson(path, body.getValue(), null)));
            }
            out.add(new HttpCase("raw bodies", "/v1/webhooks/github " + body.getKey(), true, () -> githubRequest("repository",
                    body.getValue(), SigilCluster.GITHUB_WEBHOOK_SECRET, UUID.randomUUID().toString())));
            out.add(new HttpCase("raw bodies", "/v1/webhooks/gitlab " + body.getKey(), true, () -> request("/v1/webhooks/gitlab")
                    .header("X-Gitlab-Token", SigilCluster.GITLAB_WEBHOOK_SECRET).header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                    .POST(HttpRequest.BodyPublishers.ofString(body.getValue(), StandardCharsets.UTF_8)).build()));
        }
        return out;
    }

    /** A renewable identity the renewal cases take turns with: its key and its current certificate. */
    private static final class Renewable {
        org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters key;
        String certificate;
    }

    /**
     * {@code POST /v1/renew} with hostile values in each field and a valid certificate, challenge and signature
     * otherwise, so each value reaches the check meant for it. Sent one at a time: a renewal that is issued moves
     * the identity on, and the next renews from there.
     */
    private void renewals() throws Exception {
        List<Renewable> identities = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Renewable identity = new Renewable();
            identity.key = Bots.newKey();
            Bots.Answer joined = Bots.join(cluster, admin.createToken(newBot(wideRole), "10m"), Bots.publicKey(identity.key));
            if (joined.status() != 200) {
                notPrepared.add("a join for the renewal cases: " + joined.status() + " " + joined.body());
                return;
            }
            identity.certificate = joined.body().at("/identity/tlsCertificate").asText();
            identities.add(identity);
        }
        ObjectNode sample = JSON.objectNode().put("certificate", "c").put("challenge", "c").put("signature", "s")
                .put("publicKey", "k").put("ttl", "10m").put("requestId", UUID.randomUUID().toString());
        sample.putArray("outputs");
        List<Variant> variants = new ArrayList<>(new HostileValues(HostileValues.COMPACT, 1).walk(RenewResource.RenewRequest.class, sample));
        String key = Bots.newPublicKey();
        ArrayNode thousand = JSON.arrayNode();
        for (int i = 0; i < 1000; i++) {
            thousand.add(JSON.objectNode().put("kind", "identity"));
        }
        variants.add(new Variant(List.of("outputs"), new Value("1000 outputs", thousand, HostileValues.Breaks.GRAMMAR)));
        variants.add(new Variant(List.of("outputs"), new Value("[workload-identity-x509 \"/svc/a b\"]", JSON.arrayNode()
                .add(baseOutput(OutputRequest.WORKLOAD_IDENTITY, key).put("spiffePath", "/svc/a b")), HostileValues.Breaks.GRAMMAR)));
        variants.add(new Variant(List.of("outputs"), new Value("[database \"#300000\"]", JSON.arrayNode()
                .add(baseOutput(OutputRequest.DATABASE, key).put("databaseUser", "#300000")), HostileValues.Breaks.GRAMMAR)));
        casesByGroup.merge("renew", variants.size(), Integer::sum);
        int i = 0;
        for (Variant v : variants) {
            if (issuerDown != null) {
                httpSkipped.incrementAndGet();
                continue;
            }
            renew(identities.get(i++ % identities.size()), v);
        }
    }

    private void renew(Renewable identity, Variant v) throws Exception {
        String what = "renew " + v.describe();
        var next = Bots.newKey();
        httpTried.incrementAndGet();
        HttpResponse<String> response = sendWaitingOutRateLimit(what, () -> {
            String challenge = Bots.challenge(cluster); // each attempt signs a fresh one: a challenge is used once
            ObjectNode body = JSON.objectNode().put("certificate", identity.certificate).put("challenge", challenge)
                    .put("signature", Bots.sign(identity.key, challenge)).put("publicKey", Bots.publicKey(next))
                    .put("ttl", "10m").put("requestId", UUID.randomUUID().toString());
            body.putArray("outputs");
            return postJson("/v1/renew", write(HostileValues.apply(body, v)), null);
        });
        if (response == null) {
            return;
        }
        classify(what, v.mustBeRefused(p -> true), response.statusCode(), response.body());
        if (response.statusCode() == 200 && !v.where().equals("publicKey")) {
            identity.key = next;
            identity.certificate = EventJson.MAPPER.readTree(response.body()).at("/identity/tlsCertificate").asText();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 3. Records straight onto every input topic

    private Answers putHostileRecords() throws Exception {
        List<String> deadLetterTopics;
        try (Admin kafka = Admin.create(cluster.kafkaClient())) {
            deadLetterTopics = kafka.listTopics().names().get().stream().filter(t -> t.startsWith("sigil.") && t.endsWith(".dlq")).sorted().toList();
        }
        List<String> followed = new ArrayList<>(List.of(Topics.ISSUE_RESULTS, Topics.SERVICE_CERTIFICATE_RESULTS));
        followed.addAll(deadLetterTopics);
        Answers answers = new Answers(followed);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(cluster.operatorClient(ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer())) {
            producer = p;
            signer = RequestSignatures.Signer.fromDirectory(cluster.busIdentity(Service.JOIN.module));
            timed("records", () -> {
                hostileDesiredState();
                producer.flush();
            });
            timed("desired state read", () -> hostileStateSeen = awaitHostileStateSeen(answers));
            timed("records", () -> {
                onHostileState.forEach(Runnable::run);
                issueRequests();
                serviceCertificates();
                otherInputs();
                producer.flush();
            });
            Set<String> requests = requestIds();
            timed("answers", () -> {
                try {
                    await().atMost(ANSWER_DEADLINE).pollInterval(Duration.ofMillis(50))
                            .failFast("a Kafka Streams client is in ERROR", this::streamsInError).until(() -> {
                                answers.poll();
                                return answers.unanswered(requests).isEmpty();
                            });
                } catch (ConditionTimeoutException | TerminalFailureException e) {
                    answers.poll(); // what did come is counted; the rest is reported as unanswered
                }
            });
            for (String key : deliveryKeys) { // the deliveries output-writer held go again, with their files
                producer.send(new ProducerRecord<>(Topics.DELIVERIES, key, null));
            }
            producer.flush();
        }
        return answers;
    }

    /** Puts a record on a topic, as one case of the suite. */
    private String put(String topic, String key, byte[] value, String what, boolean request, boolean mustBeRefused, boolean counted) {
        return put(topic, key, value, what, request, mustBeRefused, counted, new RecordHeaders());
    }

    private String put(String topic, String key, byte[] value, String what, boolean request, boolean mustBeRefused, boolean counted,
            Headers headers) {
        String id = "hostile-" + run + "-case-" + names.incrementAndGet();
        KafkaCase c = new KafkaCase(id, topic, what, request, mustBeRefused, counted);
        cases.put(id, c);
        headers.add(CASE_HEADER, id.getBytes(StandardCharsets.UTF_8));
        if (request) {
            headers.add(ReplyHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
            String replyTopic = topic.equals(Topics.SERVICE_CERTIFICATES) ? Topics.SERVICE_CERTIFICATE_RESULTS : Topics.ISSUE_RESULTS;
            headers.add(ReplyHeaders.TOPIC, replyTopic.getBytes(StandardCharsets.UTF_8));
        }
        if (topic.equals(Topics.ISSUE_REQUESTS) && signer != null && value != null) {
            signer.sign(headers, new String(value, StandardCharsets.UTF_8));
        }
        if (counted) {
            topicsWritten.add(topic);
        }
        producer.send(new ProducerRecord<>(topic, null, key, value, headers), (metadata, e) -> {
            if (e != null) {
                notWritten.add(id);
                notWrittenWhy.add(what + ": " + e);
            }
        });
        return id;
    }

    private void put(String topic, String key, JsonNode value, String what, boolean request, boolean mustBeRefused) {
        String id = put(topic, key, write(value).getBytes(StandardCharsets.UTF_8), what, request, mustBeRefused, true);
        if (topic.equals(Topics.SERVICE_CERTIFICATES) && value.path("requestId").isTextual()) {
            serviceCertificateCases.put(value.path("requestId").asText(), id);
        }
    }

    /** Values that are no record at all, on a topic; on a request topic each must be dead-lettered. */
    private void garbage(String topic, boolean request) {
        Map<String, byte[]> values = new LinkedHashMap<>();
        values.put("1 random byte", randomBytes(1));
        values.put("200 random bytes", randomBytes(200));
        values.put("5000 random bytes", randomBytes(5000));
        values.put("invalid UTF-8", new byte[] { (byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE });
        values.put("an empty value", new byte[0]);
        values.put("a null value", null);
        for (String json : List.of("null", "[]", "123", "\"str\"", "true", "{}", "{\"requestId\":", "[".repeat(3000) + "]".repeat(3000))) {
            values.put("JSON " + abbreviate(json, 20), json.getBytes(StandardCharsets.UTF_8));
        }
        values.put("a 600 KB string", ("{\"requestId\":\"" + "y".repeat(600_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> value : values.entrySet()) {
            put(topic, name("g"), value.getValue(), topic + ": " + value.getKey(), request, request, true);
        }
        // Compacted topics refuse a record without a key in the broker, with the whole batch around it.
        boolean compacted = Topics.all().stream().anyMatch(t -> t.name().equals(topic) && t.compacted());
        if (!compacted) {
            put(topic, null, "{}".getBytes(StandardCharsets.UTF_8), topic + ": a null key", request, request, true);
        }
        put(topic, "a b\n#\u0000😀", "{}".getBytes(StandardCharsets.UTF_8), topic + ": a hostile key", request, request, true);
    }

    /**
     * Desired state written straight to its topics: bots, roles, locks, leaf clusters, join tokens and deliveries
     * with hostile values in each field. Issue requests for the bots, roles and leaf clusters follow once the issuer
     * has read them, so the hostile state is used, not only stored.
     */
    private void hostileDesiredState() {
        HostileValues compact = new HostileValues(HostileValues.COMPACT, 2);
        String key = Bots.newPublicKey();
        for (String bot : List.of(wideBot, spiffeBot, databaseBot)) {
            joinTokenFor(bot);
        }
        for (Variant v : compact.walk(BotSpec.class, bots("sample"))) {
            String bot = name("kb");
            put(Topics.BOTS, bot, HostileValues.apply(bots(bot), v), "bot " + v.describe(), false, false);
            joinTokenFor(bot);
            onHostileState.add(() -> put(Topics.ISSUE_REQUESTS, bot, issueRequest(bot, List.of()), "issue for a bot with " + v.describe(), true, false));
        }
        for (Variant v : compact.walk(RoleSpec.class, roles("sample"))) {
            String role = name("kr");
            String bot = name("krb");
            put(Topics.ROLES, role, HostileValues.apply(roles(role), v), "role " + v.describe(), false, false);
            put(Topics.BOTS, bot, EventJson.MAPPER.valueToTree(new BotSpec(bot, List.of(role), Map.of("logins", List.of("deploy")), null)),
                    "the bot of a role with " + v.describe(), false, false);
            joinTokenFor(bot);
            onHostileState.add(() -> put(Topics.ISSUE_REQUESTS, bot, issueRequest(bot, List.of(baseOutput(OutputRequest.KUBERNETES, key))),
                    "issue for a role with " + v.describe(), true, false));
        }
        for (Variant v : compact.walk(LockSpec.class, EventJson.MAPPER.valueToTree(new LockSpec("bot:sample", "r", null)))) {
            String target = "bot:" + name("kl");
            put(Topics.LOCKS, target, HostileValues.apply(EventJson.MAPPER.valueToTree(new LockSpec(target, "hostile-input suite", null)), v),
                    "lock " + v.describe(), false, false);
        }
        for (Variant v : compact.walk(LeafClusterSpec.class, leaf("sample", key))) {
            String leaf = name("kc");
            put(Topics.LEAF_CLUSTERS, leaf, HostileValues.apply(leaf(leaf, key), v), "leaf cluster " + v.describe(), false, false);
            onHostileState.add(() -> put(Topics.ISSUE_REQUESTS, wideBot, issueRequest(wideBot,
                    List.of(baseOutput(OutputRequest.IDENTITY, key).put("cluster", leaf))), "issue for a leaf cluster with " + v.describe(), true, false));
        }
        ObjectNode token = EventJson.MAPPER.valueToTree(new JoinTokenSpec("sample", "nobody", "token", Instant.now().plus(Duration.ofHours(1)),
                List.of(Map.of("repository", "acme/app")), Map.of("audience", "x")));
        for (Variant v : compact.walk(JoinTokenSpec.class, token)) {
            String name = name("kt");
            put(Topics.JOIN_TOKENS, name, HostileValues.apply(token.deepCopy().put("name", name), v), "join token " + v.describe(), false, false);
        }
        List<Variant> deliveries = new ArrayList<>(compact.walk(DeliverySpec.class, delivery("sample", "kafka")).stream()
                .filter(v -> !v.where().equals("destination.path")).toList());
        deliveries.addAll(destinationPaths());
        for (Variant v : deliveries) {
            String id = name("kd");
            deliveryKeys.add(id);
            put(Topics.DELIVERIES, id, HostileValues.apply(delivery(id, "kafka"), v), "delivery " + v.describe(), false, false);
        }
        for (String topic : List.of(Topics.BOTS, Topics.ROLES, Topics.LOCKS, Topics.LEAF_CLUSTERS, Topics.JOIN_TOKENS, Topics.DELIVERIES)) {
            garbage(topic, false);
        }
    }

    /**
     * Writes a join token of method {@code token} for the bot straight to sigil.join-tokens, as the admin API would:
     * the issuer issues a join only for a join token of that bot, so the requests get past it to what they test.
     */
    private void joinTokenFor(String bot) {
        String token = name("kjt");
        kafkaJoinTokens.put(bot, token);
        put(Topics.JOIN_TOKENS, token, write(EventJson.MAPPER.valueToTree(new JoinTokenSpec(token, bot, "token",
                Instant.now().plus(Duration.ofHours(2)), null, null))).getBytes(StandardCharsets.UTF_8),
                "the join token of " + bot, false, false, false);
    }

    /**
     * Waits until the issuer has read the desired state written so far: a bot and join token written after all of
     * it must be issued for. Its requests are not counted among the cases.
     */
    private boolean awaitHostileStateSeen(Answers answers) {
        String sentinel = name("sentinel");
        put(Topics.BOTS, sentinel, write(EventJson.MAPPER.valueToTree(new BotSpec(sentinel, List.of(wideRole),
                Map.of("logins", List.of("deploy")), null))).getBytes(StandardCharsets.UTF_8), "sentinel bot", false, false, false);
        joinTokenFor(sentinel);
        producer.flush();
        String[] pending = { null };
        try {
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .failFast("a Kafka Streams client is in ERROR", this::streamsInError).until(() -> {
                if (pending[0] == null || (answers.outcomes.containsKey(pending[0]) && !answers.issued.containsKey(pending[0]))) {
                    pending[0] = put(Topics.ISSUE_REQUESTS, sentinel, write(issueRequest(sentinel, List.of())).getBytes(StandardCharsets.UTF_8),
                            "sentinel request", true, false, false);
                    producer.flush();
                }
                answers.poll();
                return answers.issued.containsKey(pending[0]);
            });
            return true;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            return false;
        }
    }

    /**
     * A valid issue request for the bot, as join-service would write it, naming the bot's join token, with a fresh
     * request id and proof.
     */
    private ObjectNode issueRequest(String bot, List<ObjectNode> outputs) {
        String joinToken = kafkaJoinTokens.getOrDefault(bot, "no-join-token");
        ObjectNode request = EventJson.MAPPER.valueToTree(new IssueRequest(UUID.randomUUID().toString(), bot,
                new Attestation("token", joinToken, name("proof"), Instant.now().plus(Duration.ofHours(1))),
                kafkaKey(), Duration.ofMinutes(10), Instant.now(), null, null));
        ArrayNode list = request.putArray("outputs");
        outputs.forEach(list::add);
        return request;
    }

    private synchronized String kafkaKey() {
        if (kafkaKey == null) {
            kafkaKey = Bots.newPublicKey();
        }
        return kafkaKey;
    }

    /** Issue requests with hostile values in every field of IssueRequest and OutputRequest, and the CA-killers. */
    private void issueRequests() {
        String key = kafkaKey();
        ObjectNode sample = issueRequest(wideBot, List.of());
        sample.set("renewal", EventJson.MAPPER.valueToTree(new BotInstance(UUID.randomUUID().toString(), 1, "token", "t")));
        // Checked before policy: the names, the key, the ttl, the outputs; a renewal of an unknown instance is refused.
        Predicate<String> checked = p -> Stream.of("requestId", "bot", "publicKey", "ttl").anyMatch(p::equals)
                || p.startsWith("outputs") || p.startsWith("renewal");
        List<Variant> variants = new ArrayList<>(new HostileValues(HostileValues.STRINGS, 1).walk(IssueRequest.class, sample));
        new HostileValues(HostileValues.COMPACT, 2).walk(IssueRequest.class, sample).stream()
                .filter(v -> v.path().size() > 1 && !v.where().startsWith("outputs")).forEach(variants::add);
        for (Variant v : variants) {
            ObjectNode request = issueRequest(wideBot, List.of());
            if (v.where().startsWith("renewal")) {
                request.set("renewal", EventJson.MAPPER.valueToTree(new BotInstance(UUID.randomUUID().toString(), 1, "token", "t")));
            }
            put(Topics.ISSUE_REQUESTS, wideBot, HostileValues.apply(request, v), "issue request " + v.describe(), true, v.mustBeRefused(checked));
        }
        for (String kind : OutputRequest.KINDS) {
            for (Variant v : outputVariants(kind, HostileValues.STRINGS)) {
                put(Topics.ISSUE_REQUESTS, wideBot, HostileValues.apply(issueRequest(wideBot, List.of(baseOutput(kind, key))), under(v, "outputs", 0)),
                        "issue request outputs[0]." + v.describe() + " (" + kind + ")", true, v.mustBeRefused(p -> true));
            }
        }
        for (int count : new int[] { Names.MAX_OUTPUTS, Names.MAX_OUTPUTS + 1, 3000 }) {
            List<ObjectNode> outputs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                outputs.add(baseOutput(OutputRequest.IDENTITY, key).put("name", "o" + i));
            }
            put(Topics.ISSUE_REQUESTS, wideBot, issueRequest(wideBot, outputs), "issue request with " + count + " outputs", true, count > Names.MAX_OUTPUTS);
        }
        put(Topics.ISSUE_REQUESTS, spiffeBot, issueRequest(spiffeBot, List.of(baseOutput(OutputRequest.WORKLOAD_IDENTITY, key)
                .put("spiffePath", "/svc/a b"))), "issue request workload-identity-x509 spiffePath \"/svc/a b\" (role allows /svc/*)", true, true);
        put(Topics.ISSUE_REQUESTS, databaseBot, issueRequest(databaseBot, List.of(baseOutput(OutputRequest.DATABASE, key)
                .put("databaseUser", "#300000"))), "issue request database databaseUser \"#300000\" (role allows *)", true, true);
        garbage(Topics.ISSUE_REQUESTS, true);
        senders(key);
    }

    /**
     * Requests a Sigil service did not send as they are: unsigned, signed by a service that may not ask for joins,
     * and signed for another value. None may be issued, valid or not.
     */
    private void senders(String key) {
        RequestSignatures.Signer joinService = signer;
        try {
            signer = null;
            put(Topics.ISSUE_REQUESTS, wideBot, issueRequest(wideBot, List.of()), "issue request, unsigned", true, true);
            put(Topics.ISSUE_REQUESTS, spiffeBot, issueRequest(spiffeBot, List.of(baseOutput(OutputRequest.WORKLOAD_IDENTITY, key)
                    .put("spiffePath", "/svc/a b"))), "issue request, unsigned, workload-identity-x509 spiffePath \"/svc/a b\"", true, true);
            // join-service's signature of one request, on another one
            Headers signedForAnother = joinService.sign(new RecordHeaders(), write(issueRequest(wideBot, List.of())));
            put(Topics.ISSUE_REQUESTS, wideBot, write(issueRequest(wideBot, List.of())).getBytes(StandardCharsets.UTF_8),
                    "issue request carrying join-service's signature of another request", true, true, true, signedForAnother);
            signer = RequestSignatures.Signer.fromDirectory(cluster.busIdentity(Service.OUTPUT_WRITER.module));
            put(Topics.ISSUE_REQUESTS, wideBot, issueRequest(wideBot, List.of()), "issue request for a join, signed by output-writer", true, true);
        } finally {
            signer = joinService;
        }
    }

    private void serviceCertificates() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        java.util.function.Supplier<ObjectNode> base = () -> EventJson.MAPPER.valueToTree(new ServiceCertificateRequest(
                UUID.randomUUID().toString(), "join-service", List.of("localhost"), pem));
        // The service and its names reach the certificate; the request id is only echoed.
        Predicate<String> checked = p -> !p.equals("requestId");
        for (Variant v : new HostileValues(HostileValues.COMPACT, 1).walk(ServiceCertificateRequest.class, base.get())) {
            put(Topics.SERVICE_CERTIFICATES, "join-service", HostileValues.apply(base.get(), v), "service certificate " + v.describe(),
                    true, v.mustBeRefused(checked));
        }
        garbage(Topics.SERVICE_CERTIFICATES, true);
    }

    /** The other inputs: CA rotations, renewal requests, issue results (renewal-service and output-writer read them), renewal-due. */
    private void otherInputs() {
        HostileValues compact = new HostileValues(HostileValues.COMPACT, 2);
        // The CA is shared by every test: the phase is never one that exists, so nothing rotates.
        ObjectNode rotation = EventJson.MAPPER.valueToTree(new CaRotationRequest(UUID.randomUUID().toString(), "no-such-phase", Duration.ofMinutes(10)));
        for (Variant v : compact.walk(CaRotationRequest.class, rotation)) {
            put(Topics.CA_ROTATIONS, "ca", HostileValues.apply(rotation.deepCopy().put("requestId", UUID.randomUUID().toString()), v),
                    "CA rotation " + v.describe(), false, false);
        }
        // Renewal requests for a bot that does not exist: never "all", so nothing real renews.
        ObjectNode renewal = EventJson.MAPPER.valueToTree(new RenewalRequest(UUID.randomUUID().toString(), null, name("nobody"), null, Duration.ofMinutes(1)));
        for (Variant v : compact.walk(RenewalRequest.class, renewal)) {
            put(Topics.RENEWAL_REQUESTS, "renew", HostileValues.apply(renewal.deepCopy().put("requestId", UUID.randomUUID().toString()), v),
                    "renewal request " + v.describe(), false, false);
        }
        ObjectNode result = (ObjectNode) realResult.deepCopy();
        for (Variant v : compact.walk(IssueResult.class, result)) {
            put(Topics.ISSUE_RESULTS, wideBot, HostileValues.apply(result.deepCopy().put("requestId", UUID.randomUUID().toString()), v),
                    "issue result " + v.describe(), false, false);
        }
        ObjectNode due = EventJson.MAPPER.valueToTree(new RenewalDue(wideBot, UUID.randomUUID().toString(), "1", Instant.now(),
                Instant.now().plus(Duration.ofHours(1))));
        for (Variant v : compact.walk(RenewalDue.class, due)) {
            put(Topics.RENEWAL_DUE, wideBot, HostileValues.apply(due, v), "renewal due " + v.describe(), false, false);
        }
        for (String topic : List.of(Topics.CA_ROTATIONS, Topics.RENEWAL_REQUESTS, Topics.ISSUE_RESULTS, Topics.RENEWAL_DUE)) {
            garbage(topic, false);
        }
    }

    private Set<String> requestIds() {
        Set<String> ids = new HashSet<>();
        cases.values().stream().filter(c -> c.request() && c.counted() && !notWritten.contains(c.id())).forEach(c -> ids.add(c.id()));
        return ids;
    }

    private void removeDeliveries() {
        for (String id : acceptedDeliveries) {
            try {
                admin.delete("/v1/admin/deliveries/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8));
            } catch (Exception e) {
                // a delivery with a name the API cannot address again; its destination is under the suite's temp dir
            }
        }
    }

    /** The answers to the suite's requests and the dead letters of its records, read from their topics as they come. */
    final class Answers implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        /** Case id: issued, refused with a code, or dead-lettered. */
        final Map<String, String> outcomes = new HashMap<>();
        final Map<String, JsonNode> issued = new HashMap<>();
        /** Case id: the dead-letter topics its records reached. */
        final Map<String, Set<String>> deadLettered = new HashMap<>();
        final List<String> withoutReason = new ArrayList<>();

        Answers(List<String> topics) {
            consumer = new KafkaConsumer<>(cluster.operatorClient(ConsumerConfig.GROUP_ID_CONFIG, "hostile-answers-" + UUID.randomUUID(),
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024),
                    new StringDeserializer(), new StringDeserializer());
            // From now on: every record written after this constructor returns is seen.
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        void poll() {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                String correlation = header(record.headers(), ReplyHeaders.CORRELATION_ID);
                String marker = header(record.headers(), CASE_HEADER);
                if (record.topic().endsWith(".dlq")) {
                    String id = marker != null ? marker : correlation;
                    KafkaCase c = id == null ? null : cases.get(id);
                    if (c != null) {
                        // Counted where it was dead-lettered: its own topic's, or (for an answer) a reader's further on.
                        deadLettered.computeIfAbsent(id, k -> new TreeSet<>()).add(record.topic());
                        if (header(record.headers(), ReplyHeaders.DEAD_LETTER_REASON) == null) {
                            withoutReason.add(c.what() + " on " + record.topic());
                        }
                        if (c.request() && record.topic().equals(Topics.deadLetter(c.topic()))) {
                            outcomes.putIfAbsent(id, "dead-lettered");
                        }
                    }
                    continue;
                }
                JsonNode value;
                try {
                    value = record.value() == null ? null : EventJson.MAPPER.readTree(record.value());
                } catch (IOException e) {
                    value = null;
                }
                String id = correlation;
                if (record.topic().equals(Topics.SERVICE_CERTIFICATE_RESULTS) && value != null && value.path("requestId").isTextual()) {
                    id = serviceCertificateCases.getOrDefault(value.path("requestId").asText(), id);
                }
                KafkaCase c = id == null ? null : cases.get(id);
                if (c == null || !c.request()) {
                    continue;
                }
                boolean wasIssued = value != null && (value.hasNonNull("identity") || value.hasNonNull("certificate"));
                if (wasIssued) {
                    issued.put(id, value);
                    outcomes.put(id, "issued");
                } else {
                    outcomes.putIfAbsent(id, "refused " + (value == null ? "(unreadable answer)" : value.at("/refusal/code").asText()));
                }
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }

        Set<String> unanswered(Set<String> requests) {
            Set<String> open = new HashSet<>(requests);
            open.removeAll(outcomes.keySet());
            return open;
        }

        Evaluation evaluate() {
            Evaluation e = new Evaluation();
            Set<String> requests = requestIds();
            e.records = (int) cases.values().stream().filter(KafkaCase::counted).count();
            e.requests = requests.size();
            e.notWritten = (int) cases.values().stream().filter(c -> c.counted() && notWritten.contains(c.id())).count();
            for (String id : requests) {
                String outcome = outcomes.get(id);
                if (outcome == null) {
                    e.unanswered.add(cases.get(id).what());
                } else if (outcome.equals("issued")) {
                    e.issued++;
                    if (cases.get(id).mustBeRefused()) {
                        e.hostileIssued.add(cases.get(id).what());
                    }
                    hostileValuesIn(issued.get(id)).forEach(v -> e.hostileInCertificates.add(cases.get(id).what() + ": " + v));
                } else if (outcome.equals("dead-lettered")) {
                    e.requestsDeadLettered++;
                } else {
                    e.refused++;
                    e.refusalCodes.merge(outcome.substring("refused ".length()), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Set<String>> d : deadLettered.entrySet()) {
                KafkaCase c = cases.get(d.getKey());
                if (c.counted()) {
                    if (d.getValue().contains(Topics.deadLetter(c.topic()))) {
                        e.deadLettered++;
                    }
                    d.getValue().forEach(topic -> e.deadLettersByTopic.merge(topic, 1, Integer::sum));
                }
            }
            e.deadLetteredWithoutReason.addAll(withoutReason);
            return e;
        }
    }

    /** The hostile strings an issued answer carries where a name ends up: principals, roles, a leaf's host CA. */
    private Collection<String> hostileValuesIn(JsonNode result) {
        Set<String> found = new java.util.LinkedHashSet<>();
        List<JsonNode> issued = new ArrayList<>();
        issued.add(result.path("identity"));
        result.path("outputs").forEach(issued::add);
        for (JsonNode part : issued) {
            for (String field : List.of("principals", "roles")) {
                part.path(field).forEach(v -> {
                    if (hostileStrings.contains(v.asText())) {
                        found.add(field + " " + HostileValues.label(v.asText()));
                    }
                });
            }
            String hostCa = part.path("hostCa").asText("");
            if (hostCa.contains("\n") || hostCa.contains("\r") || hostCa.contains("\u0000")) {
                found.add("hostCa " + HostileValues.label(hostCa));
            }
        }
        return found;
    }

    /** What the records on Kafka came to. */
    static final class Evaluation {
        int records;
        int requests;
        int notWritten;
        int issued;
        int refused;
        int requestsDeadLettered;
        int deadLettered;
        final Map<String, Integer> refusalCodes = new TreeMap<>();
        final Map<String, Integer> deadLettersByTopic = new TreeMap<>();
        final List<String> unanswered = new ArrayList<>();
        final List<String> deadLetteredWithoutReason = new ArrayList<>();
        final List<String> hostileIssued = new ArrayList<>();
        final List<String> hostileInCertificates = new ArrayList<>();
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // 4. Afterwards

    private Map<LocalCluster.Replica, Long> processes() {
        Map<LocalCluster.Replica, Long> pids = new LinkedHashMap<>();
        for (Service service : Service.values()) {
            for (LocalCluster.Replica replica : cluster.replicas(service)) {
                pids.put(replica, cluster.process(replica).pid());
            }
        }
        return pids;
    }

    /** The service processes that are gone (or were replaced) since the suite started. */
    private List<String> deaths(Map<LocalCluster.Replica, Long> before) {
        List<String> deaths = new ArrayList<>();
        before.forEach((replica, pid) -> {
            ProcessHandle now = cluster.process(replica);
            if (!now.isAlive() || now.pid() != pid) {
                deaths.add(replica.name() + " (pid " + pid + ")");
            }
        });
        return deaths;
    }

    /** Waits (a little, for a rebalance to settle) until every replica is UP; what is still not UP then. */
    private Map<String, String> awaitHealthy() {
        Map<String, String> problems = new TreeMap<>();
        try {
            await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .failFast("a Kafka Streams client is in ERROR", this::streamsInError).until(() -> {
                        problems.clear();
                        for (Service service : Service.values()) {
                            for (LocalCluster.Replica replica : cluster.replicas(service)) {
                                healthy(replica, problems);
                            }
                        }
                        return problems.isEmpty();
                    });
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            problems.clear();
            for (Service service : Service.values()) {
                for (LocalCluster.Replica replica : cluster.replicas(service)) {
                    healthy(replica, problems);
                }
            }
        }
        return problems;
    }

    private long streamsCheckedAt;
    private boolean streamsFailed;

    /**
     * Whether a Kafka Streams client (the issuer's, renewal-service's) is in ERROR, a state it never leaves without a
     * restart: then waiting for answers any longer is pointless. Asked at most once a second.
     */
    private boolean streamsInError() {
        if (!streamsFailed && System.nanoTime() - streamsCheckedAt > TimeUnit.SECONDS.toNanos(1)) {
            streamsCheckedAt = System.nanoTime();
            for (Service service : List.of(Service.ISSUER, Service.RENEWAL)) {
                for (LocalCluster.Replica replica : cluster.replicas(service)) {
                    try {
                        HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.management(replica)
                                .resolve("/q/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                        for (JsonNode check : EventJson.MAPPER.readTree(response.body()).path("checks")) {
                            streamsFailed |= "ERROR".equals(check.at("/data/state").asText());
                        }
                    } catch (Exception e) {
                        // not answering is for the health check to report
                    }
                }
            }
        }
        return streamsFailed;
    }

    /** Whether the replica's /q/health is UP with every Kafka Streams state RUNNING; if not, why, into problems. */
    private boolean healthy(LocalCluster.Replica replica, Map<String, String> problems) {
        try {
            HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.management(replica)
                    .resolve("/q/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode health = EventJson.MAPPER.readTree(response.body());
            if (response.statusCode() != 200 || !"UP".equals(health.path("status").asText())) {
                problems.put(replica.name(), response.statusCode() + " " + abbreviate(response.body()));
                return false;
            }
            for (JsonNode check : health.path("checks")) {
                JsonNode state = check.at("/data/state");
                if (!state.isMissingNode() && !"RUNNING".equals(state.asText())) {
                    problems.put(replica.name(), check.path("name").asText() + " " + state.asText());
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            problems.put(replica.name(), e.toString());
            return false;
        }
    }

    private int normalJoin() {
        try {
            String bot = Bots.newBot(cluster, List.of("deploy"));
            return Bots.join(cluster, admin.createToken(bot, "10m"), Bots.newPublicKey()).status();
        } catch (Exception e) {
            return -1;
        }
    }

    private void report(Evaluation kafka, Map<String, String> unhealthy, List<String> deaths, int processes, int normalJoin, Duration took) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%n==== hostile-input suite: seed %d, %.1f s ====%n", seed, took.toMillis() / 1000.0));
        b.append("phases                  ");
        phases.forEach((phase, d) -> b.append(String.format("%s %.1f s  ", phase, d.toMillis() / 1000.0)));
        b.append('\n');
        b.append(String.format("records tried           %,d on %d topics (%d not taken by Kafka itself)%n", kafka.records,
                topicsWritten.size(), kafka.notWritten));
        b.append(String.format("  requests on Kafka     %,d: answered %,d (issued %,d, refused %,d, dead-lettered %,d), unanswered %d%n",
                kafka.requests, kafka.requests - kafka.unanswered.size(), kafka.issued, kafka.refused, kafka.requestsDeadLettered,
                kafka.unanswered.size()));
        b.append(String.format("  refusal codes         %s%n", kafka.refusalCodes));
        b.append(String.format("  dead-lettered         %,d records %s, %d without a reason%n", kafka.deadLettered,
                kafka.deadLettersByTopic, kafka.deadLetteredWithoutReason.size()));
        b.append(String.format("  hostile issued        %d; hostile values in certificates %d; hostile desired state read by the issuer: %s%n",
                kafka.hostileIssued.size(), kafka.hostileInCertificates.size(), hostileStateSeen ? "yes" : "NOT CONFIRMED"));
        b.append(String.format("requests tried (HTTP)   %,d %s: answered %,d, statuses %s%n", httpTried.get() + presentations, casesByGroup,
                httpAnswered.get() + presentations, new TreeMap<>(statuses)));
        b.append(String.format("  5xx                   %d (must be 0)%n", fiveHundreds.size()));
        b.append(String.format("  hangs %d, connection failures %d, skipped %d%s, refusals not {code, message} %d, hostile accepted %d%n",
                hangs.size(), connectionFailures.size(), httpSkipped.get(), issuerDown == null ? "" : " (" + issuerDown + ")",
                notCodeAndMessage.size(), hostileAccepted.size()));
        b.append(String.format("platform tokens         %d signed %s, %d presentations: first use accepted %d, replays accepted %d (must be 0)%n",
                signedTokens.size(), signedTokens, presentations, firstUsesAccepted, replaysAccepted.size()));
        b.append(String.format("  answers to replays    %s%n", replayAnswers));
        b.append(String.format("service deaths          %d of %d processes (must be 0)%s%n", deaths.size(), processes,
                deaths.isEmpty() ? "" : " " + deaths));
        b.append(String.format("services not UP         %s%s%n", unhealthy.isEmpty() ? "none" : unhealthy,
                streamsFailed ? " (waits cut short: a Kafka Streams client is in ERROR)" : ""));
        b.append(String.format("normal join afterwards  %d%n", normalJoin));
        examples(b, "unanswered requests", kafka.unanswered);
        examples(b, "dead letters without a reason", kafka.deadLetteredWithoutReason);
        examples(b, "hostile records issued", kafka.hostileIssued);
        examples(b, "hostile values in certificates", kafka.hostileInCertificates);
        examples(b, "5xx", fiveHundreds);
        examples(b, "hangs", hangs);
        examples(b, "connection failures", connectionFailures);
        examples(b, "refusals not {code, message}", notCodeAndMessage);
        examples(b, "hostile HTTP requests accepted", hostileAccepted);
        examples(b, "replays accepted", replaysAccepted);
        examples(b, "cases not prepared", notPrepared);
        examples(b, "records Kafka itself did not take", notWrittenWhy);
        b.append("====");
        System.out.println(b);
    }

    private static void examples(StringBuilder b, String what, Collection<String> all) {
        if (all.isEmpty()) {
            return;
        }
        b.append(String.format("  %s (%d), e.g.:%n", what, all.size()));
        all.stream().limit(8).forEach(e -> b.append("    ").append(abbreviate(e, 220)).append('\n'));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private String randomText(int n) {
        StringBuilder b = new StringBuilder();
        while (b.length() < n) {
            int c = random.nextInt(0x3000);
            if (!Character.isSurrogate((char) c)) {
                b.appendCodePoint(c);
            }
        }
        return b.toString();
    }

    private static String code(String body) {
        try {
            return EventJson.MAPPER.readTree(body).path("code").asText("?");
        } catch (IOException e) {
            return "(not JSON)";
        }
    }

    private static String abbreviate(String s) {
        return abbreviate(s, 200);
    }

    private static String abbreviate(String s, int max) {
        String shown = s == null ? "null" : s.length() > max ? s.substring(0, max) + "…" : s;
        return shown.replace("\n", "\\n").replace("\r", "\\r").replace("\u0000", "\\u0000");
    }
}
