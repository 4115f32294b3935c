package dev.sigil.join.join;

import java.nio.file.Path;
import java.util.Optional;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.join.api.RefusalException;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReply;
import io.smallrye.reactive.messaging.kafka.reply.KafkaRequestReplyTimeoutException;

/**
 * Asks issuer-service for certificates: puts the request on {@code sigil.issue.requests} (keyed by bot) and waits
 * for the result with the same correlation id on {@code sigil.issue.results}, read committed.
 *
 * <p>A request with no answer within the reply timeout is sent again, with the same request id, up to
 * {@code sigil.join.issue-attempts} times: SmallRye registers a reply only once the broker has acknowledged the
 * request, so under load a fast answer can arrive first and be dropped. The issuer answers a repeated request id
 * with the certificates it already issued for it, so asking again never issues twice.
 */
@ApplicationScoped
public class IssueClient {
    private static final Logger LOG = Logger.getLogger(IssueClient.class);
    private static final java.time.Duration TOKEN_PROPAGATION_STEP = java.time.Duration.ofMillis(200);
    private static final int TOKEN_PROPAGATION_ROUNDS = 10;

    @Inject
    @Channel("issue-requests")
    KafkaRequestReply<String, String> requests;

    @ConfigProperty(name = "sigil.join.issue-attempts", defaultValue = "2")
    int attempts;

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
        // cannot mint); retries re-send the same signed record.
        RecordHeaders headers = new RecordHeaders();
        signer.ifPresent(s -> s.sign(headers, value));
        Message<String> message = Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(request.bot()).withHeaders(headers).build());
        return attempt(request, message, 1)
                .map(reply -> EventJson.read(reply.getPayload(), IssueResult.class))
                .flatMap(result -> tokenNotSeenYet(result) ? askAgainLater(request, message, 1) : Uni.createFrom().item(result))
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

    private Uni<IssueResult> askAgainLater(IssueRequest request, Message<String> message, int round) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(TOKEN_PROPAGATION_STEP)
                .flatMap(v -> attempt(request, message, 1))
                .map(reply -> EventJson.read(reply.getPayload(), IssueResult.class))
                .flatMap(result -> tokenNotSeenYet(result) && round < TOKEN_PROPAGATION_ROUNDS
                        ? askAgainLater(request, message, round + 1) : Uni.createFrom().item(result));
    }

    private Uni<Message<String>> attempt(IssueRequest request, Message<String> message, int attempt) {
        return requests.request(message).onFailure(KafkaRequestReplyTimeoutException.class).recoverWithUni(timeout -> {
            if (attempt >= attempts) {
                return Uni.createFrom().failure(timeout);
            }
            LOG.infof("issue request %s for bot %s: no answer after attempt %d, asking again", request.requestId(),
                    request.bot(), attempt);
            return attempt(request, message, attempt + 1);
        });
    }
}
