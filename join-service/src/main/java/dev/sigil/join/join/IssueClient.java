package dev.sigil.join.join;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.join.api.RefusalException;
import dev.sigil.contract.ReplyHeaders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Asks issuer-service for certificates: puts the request on {@code sigil.issue.requests} (keyed by bot) and waits
 * for the result with the same request id on {@code sigil.issue.results}, read committed ({@link IssueExchange}).
 *
 * <p>A request with no answer within the reply timeout is sent again, with the same request id, up to
 * {@code sigil.join.issue-attempts} times (the issuer may have been restarting, or its partitions moving). The
 * issuer answers a repeated request id with the certificates it already issued for it, so asking again never issues
 * twice.
 */
@ApplicationScoped
public class IssueClient {
    private static final Logger LOG = Logger.getLogger(IssueClient.class);
    private static final java.time.Duration TOKEN_PROPAGATION_STEP = java.time.Duration.ofMillis(200);
    private static final int TOKEN_PROPAGATION_ROUNDS = 10;

    /** How a request reaches the issuer and its answer comes back. */
    public interface Exchange {
        /**
         * Sends the request; completes with the value (JSON) of the first answer carrying {@code correlationId} in its
         * {@link ReplyHeaders#CORRELATION_ID} header, or fails if the request could not be sent.
         */
        CompletableFuture<String> send(String correlationId, String bot, String value, Headers headers);

        /** Stops waiting for an answer that took too long. */
        void forget(String correlationId, CompletableFuture<String> answer);
    }

    /** One request as it goes out, signed once for all its attempts. */
    private record Outgoing(IssueRequest request, String value, Headers headers) {
    }

    @Inject
    Exchange exchange;

    @ConfigProperty(name = "sigil.join.issue-attempts", defaultValue = "2")
    int attempts;

    @ConfigProperty(name = "sigil.join.issue-reply-timeout", defaultValue = "5s")
    Duration replyTimeout;

    @ConfigProperty(name = "sigil.service-identity.dir")
    Optional<Path> identity;

    private Optional<RequestSignatures.Signer> signer = Optional.empty();

    @PostConstruct
    void readIdentity() {
        signer = identity.map(RequestSignatures.Signer::fromDirectory);
    }

    /**
     * Asks for certificates. A request with a {@link IssueRequest#problem() problem} (too many outputs, a name that
     * breaks its grammar, ...) is refused here with 400 and the broken rule: nothing malformed reaches Kafka, whether
     * it came from a join or a renewal.
     */
    public Uni<IssueResult> request(IssueRequest request) {
        request.problem().ifPresent(problem -> {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the request cannot be issued: " + problem);
        });
        String value = EventJson.write(request);
        // Signed with join-service's own key, so the issuer knows who vouches for this join (a Kafka credential alone
        // cannot mint); retries re-send the same signed record. The request id comes back on the answer's header.
        RecordHeaders headers = new RecordHeaders();
        signer.ifPresent(s -> s.sign(headers, value));
        Outgoing outgoing = new Outgoing(request, value, headers);
        return ask(outgoing)
                .flatMap(result -> tokenNotSeenYet(result) ? askAgainLater(outgoing, 1) : Uni.createFrom().item(result))
                .onFailure(f -> !(f instanceof RefusalException)).transform(failure -> {
                    LOG.warnf("issue request %s for bot %s got no answer: %s", request.requestId(), request.bot(), failure.toString());
                    return new RefusalException(503, Refusal.ISSUER_UNAVAILABLE,
                            "issuer-service did not answer in time; the request was not lost, retry it shortly");
                });
    }

    /**
     * The issuer checks the join token itself, from its own copy of {@code sigil.join-tokens}; a token created a
     * moment ago may not have reached that copy yet, while this replica (which verified it) has it. Asking again
     * with the same request id for a short while covers that lag; a token really gone stays refused.
     */
    private static boolean tokenNotSeenYet(IssueResult result) {
        return !result.isIssued() && Refusal.TOKEN_NOT_FOUND.equals(result.refusal().code());
    }

    private Uni<IssueResult> askAgainLater(Outgoing outgoing, int round) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(TOKEN_PROPAGATION_STEP)
                .flatMap(v -> ask(outgoing))
                .flatMap(result -> tokenNotSeenYet(result) && round < TOKEN_PROPAGATION_ROUNDS
                        ? askAgainLater(outgoing, round + 1) : Uni.createFrom().item(result));
    }

    private Uni<IssueResult> ask(Outgoing outgoing) {
        return attempt(outgoing, 1).map(json -> answerTo(outgoing.request(), json));
    }

    /** The answer, if it is to this very request: the correlation id is ours, and so must the request id and bot be. */
    private static IssueResult answerTo(IssueRequest request, String json) {
        IssueResult result = EventJson.read(json, IssueResult.class);
        if (!request.requestId().equals(result.requestId()) || !request.bot().equals(result.bot())) {
            LOG.warnf("an answer carrying the correlation id of issue request %s is for request %s of bot %s; not taken",
                    request.requestId(), Names.printable(String.valueOf(result.requestId())), Names.printable(String.valueOf(result.bot())));
            throw new IllegalStateException("an answer to another request carried this request's correlation id");
        }
        return result;
    }

    /**
     * One attempt, under a correlation id of its own: never the client's request id (two callers naming the same
     * request id must not get each other's answers), and never one an earlier attempt exposed on the results topic.
     */
    private Uni<String> attempt(Outgoing outgoing, int attempt) {
        IssueRequest request = outgoing.request();
        Context context = Vertx.currentContext();
        String correlationId = UUID.randomUUID().toString();
        RecordHeaders headers = new RecordHeaders(outgoing.headers().toArray());
        headers.add(ReplyHeaders.CORRELATION_ID, correlationId.getBytes(StandardCharsets.UTF_8));
        return Uni.createFrom().<String>emitter(emitter -> {
            CompletableFuture<String> answer = exchange.send(correlationId, request.bot(), outgoing.value(), headers);
            // Back on the caller's event loop: the reading thread only hands answers over, it never does their work.
            answer.whenComplete((json, failure) -> onContext(context, () -> {
                if (failure != null) {
                    emitter.fail(failure);
                } else {
                    emitter.complete(json);
                }
            }));
            emitter.onTermination(() -> exchange.forget(correlationId, answer));
        }).ifNoItem().after(replyTimeout).failWith(() -> new TimeoutException("no answer within " + replyTimeout))
                .onFailure(TimeoutException.class).recoverWithUni(timeout -> {
                    if (attempt >= attempts) {
                        return Uni.createFrom().failure(timeout);
                    }
                    LOG.infof("issue request %s for bot %s: no answer after attempt %d, asking again", request.requestId(),
                            request.bot(), attempt);
                    return attempt(outgoing, attempt + 1);
                });
    }

    private static void onContext(Context context, Runnable work) {
        if (context == null) {
            work.run();
        } else {
            context.runOnContext(v -> work.run());
        }
    }
}
