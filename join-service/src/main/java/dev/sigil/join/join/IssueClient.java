package dev.sigil.join.join;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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

/**
 * Asks issuer-service for certificates: puts the request on {@code sigil.issue.requests} (keyed by bot) and waits
 * for the result with the same correlation id on {@code sigil.issue.results}, read committed.
 */
@ApplicationScoped
public class IssueClient {
    private static final Logger LOG = Logger.getLogger(IssueClient.class);

    @Inject
    @Channel("issue-requests")
    KafkaRequestReply<String, String> requests;

    public Uni<IssueResult> request(IssueRequest request) {
        Message<String> message = Message.of(EventJson.write(request))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(request.bot()).build());
        return requests.request(message)
                .map(reply -> EventJson.read(reply.getPayload(), IssueResult.class))
                .onFailure(f -> !(f instanceof RefusalException)).transform(failure -> {
                    LOG.warnf("issue request %s for bot %s got no answer: %s", request.requestId(), request.bot(), failure.toString());
                    return new RefusalException(503, Refusal.ISSUER_UNAVAILABLE,
                            "issuer-service did not answer in time; the request was not lost, retry it shortly");
                });
    }
}
