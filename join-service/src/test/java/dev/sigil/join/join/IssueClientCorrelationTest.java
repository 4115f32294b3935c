package dev.sigil.join.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;

/**
 * A client chooses its own request id, so two callers may name the same one: each must get the answer to its own
 * request, never the other's. The exchange below answers like the issuer and the results reader do (an answer
 * carries the request's correlation header back and completes whoever waits for that header).
 */
class IssueClientCorrelationTest {
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    private final Map<String, String> sentFor = new ConcurrentHashMap<>();
    private final IssueClient issuer = new IssueClient();

    IssueClientCorrelationTest() {
        issuer.attempts = 1;
        issuer.replyTimeout = Duration.ofSeconds(5);
        issuer.exchange = new IssueClient.Exchange() {
            @Override
            public CompletableFuture<String> send(String correlationId, String bot, String value, Headers headers) {
                assertThat(new String(headers.lastHeader(ReplyHeaders.CORRELATION_ID).value(), StandardCharsets.UTF_8))
                        .isEqualTo(correlationId);
                sentFor.put(correlationId, bot);
                return waiting.computeIfAbsent(correlationId, id -> new CompletableFuture<>());
            }

            @Override
            public void forget(String correlationId, CompletableFuture<String> answer) {
                waiting.remove(correlationId, answer);
            }
        };
    }

    @Test
    void twoCallersNamingOneRequestIdEachGetTheirOwnAnswer() {
        CompletableFuture<IssueResult> alice = issuer.request(request("same-id", "alice")).subscribeAsCompletionStage();
        CompletableFuture<IssueResult> mallory = issuer.request(request("same-id", "mallory")).subscribeAsCompletionStage();

        assertThat(sentFor).hasSize(2); // two correlation ids, though one request id
        sentFor.forEach((correlationId, bot) -> waiting.get(correlationId).complete(EventJson.write(IssueResult.refused(
                "same-id", bot, new Refusal(Refusal.LOCKED, "answer for " + bot)))));

        assertThat(alice.join().refusal().message()).isEqualTo("answer for alice");
        assertThat(mallory.join().refusal().message()).isEqualTo("answer for mallory");
    }

    private static IssueRequest request(String requestId, String bot) {
        return new IssueRequest(requestId, bot, new Attestation("token", "t", "t", null), "ssh-ed25519 AAAA", null,
                Instant.now(), null, List.of());
    }
}
