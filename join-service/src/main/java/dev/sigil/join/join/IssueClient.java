package dev.sigil.join.join;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Refusal;
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

    @Inject
    @Channel("issue-requests")
    KafkaRequestReply<String, String> requests;

    @ConfigProperty(name = "sigil.join.issue-attempts", defaultValue = "2")
    int attempts;

    /**
     * Asks for certificates. A request with a {@link IssueRequest#problem() problem} (too many outputs, a name that
     * breaks its grammar, ...) is refused here with 400 and the broken rule: nothing malformed reaches Kafka, whether
     * it came from a join or a renewal.
     */
    public Uni<IssueResult> request(IssueRequest request) {
        request.problem().ifPresent(problem -> {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the request cannot be issued: " + problem);
        });
        Message<String> message = Message.of(EventJson.write(request))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(request.bot()).build());
        return attempt(request, message, 1)
                .map(reply -> EventJson.read(reply.getPayload(), IssueResult.class))
                .onFailure(f -> !(f instanceof RefusalException)).transform(failure -> {
                    LOG.warnf("issue request %s for bot %s got no answer: %s", request.requestId(), request.bot(), failure.toString());
                    return new RefusalException(503, Refusal.ISSUER_UNAVAILABLE,
                            "issuer-service did not answer in time; the request was not lost, retry it shortly");
                });
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
