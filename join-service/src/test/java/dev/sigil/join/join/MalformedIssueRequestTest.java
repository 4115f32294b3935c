package dev.sigil.join.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import jakarta.enterprise.inject.Instance;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.OutputRequest;
import dev.sigil.join.admin.AdminResource;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.joinmethod.JoinMethods;
import dev.sigil.join.joinmethod.token.TokenJoinMethod;
import dev.sigil.join.ratelimit.RateLimits;

/**
 * A join (or renewal) whose issue request could not be issued as it stands (too many outputs, a name that breaks
 * its grammar) is refused with 400 and the broken rule before anything is put on sigil.issue.requests.
 */
class MalformedIssueRequestTest {
    private static final String SECRET = "a".repeat(64);
    /** What would have gone to Kafka. */
    private final List<Object> sent = Collections.synchronizedList(new ArrayList<>());
    private final IssueClient issuer = new IssueClient();
    private final JoinResource join = new JoinResource();

    MalformedIssueRequestTest() {
        issuer.attempts = 1;
        issuer.replyTimeout = java.time.Duration.ofSeconds(1);
        issuer.exchange = new IssueClient.Exchange() {
            @Override
            public java.util.concurrent.CompletableFuture<String> send(String requestId, String bot, String value,
                    org.apache.kafka.common.header.Headers headers) {
                sent.add(value);
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no Kafka in this test"));
            }

            @Override
            public void forget(String requestId, java.util.concurrent.CompletableFuture<String> answer) {
            }
        };
        JoinTokenView tokens = new JoinTokenView();
        tokens.remember(new JoinTokenSpec(AdminResource.tokenName(SECRET), "ci", "token", Instant.now().plusSeconds(3600),
                null, null));
        join.methods = new JoinMethods(instance(new TokenJoinMethod(tokens)));
        join.issuer = issuer;
        join.rateLimits = new RateLimits(1000, 1000, 1000, 1000);
    }

    @Test
    void seventeenOutputsAreRefusedUpFront() {
        List<Map<String, Object>> outputs = IntStream.rangeClosed(1, 17)
                .mapToObj(i -> Map.<String, Object>of("name", "out-" + i, "kind", "identity", "publicKey", "ssh-ed25519 AAAA" + i)).toList();
        refused(() -> join.join(joinBody(outputs)), "17 outputs", "16");
        assertThat(sent).isEmpty();
    }

    @Test
    void aSpiffePathWithASpaceIsRefusedWithTheSpiffeRule() {
        refused(() -> join.join(joinBody(List.of(Map.of("name", "svid", "kind", "workload-identity-x509",
                "spiffePath", "/svc/a b", "publicKey", "ssh-ed25519 AAAA")))), "'/svc/a b'", "SPIFFE ID path");
        assertThat(sent).isEmpty();
    }

    @Test
    void aDatabaseUserBouncyCastleWouldReadAsHexIsRefused() {
        refused(() -> issuer.request(request(new OutputRequest("db", "database", null, "ssh-ed25519 AAAA", null, "pg",
                "#300000", "app", null, null, null, null))), "'#300000'", "database user");
        assertThat(sent).isEmpty();
    }

    @Test
    void aWellFormedJoinGoesToTheIssuer() {
        // The request goes out when the answer is subscribed to, as RESTEasy does; this fake exchange then fails it.
        join.join(joinBody(List.of(Map.of("name", "svid", "kind", "workload-identity-x509", "spiffePath", "/svc/a",
                "publicKey", "ssh-ed25519 AAAA")))).subscribe().with(answer -> { }, failure -> { });
        assertThat(sent).hasSize(1);
    }

    private static void refused(Runnable call, String... messageParts) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.refusal().code()).isEqualTo("MALFORMED_REQUEST");
            assertThat(e.refusal().message()).contains(messageParts);
        });
    }

    private static String joinBody(List<Map<String, Object>> outputs) {
        return EventJson.write(Map.of("joinMethod", "token", "token", SECRET, "publicKey", "ssh-ed25519 AAAA", "outputs", outputs));
    }

    private static IssueRequest request(OutputRequest output) {
        return new IssueRequest(java.util.UUID.randomUUID().toString(), "ci",
                new Attestation("token", "t", "t", null), "ssh-ed25519 AAAA", null, Instant.now(), null, List.of(output));
    }

    /** The CDI Instance JoinMethods is built from, holding the given methods. */
    @SuppressWarnings("unchecked")
    private static Instance<JoinMethod> instance(JoinMethod... methods) {
        List<JoinMethod> list = List.of(methods);
        return (Instance<JoinMethod>) Proxy.newProxyInstance(MalformedIssueRequestTest.class.getClassLoader(),
                new Class<?>[] {Instance.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "iterator" -> list.iterator();
                    case "forEach" -> {
                        list.forEach((Consumer<JoinMethod>) args[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
