package dev.sigil.issuer.issue;

import java.time.Instant;
import java.util.List;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import dev.sigil.contract.AuditEvent;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.RequestSignatures;

/**
 * How the issuer answers an issue request, from whichever stage decided: the result on {@code sigil.issue.results}
 * (keyed by bot, carrying the request's correlation id so the waiting caller gets it) and, unless told otherwise,
 * an audit line on {@code sigil.audit}.
 */
final class IssueAnswers {
    /** The sinks of the issuing stage and of the proof-claim stage (each its own sub-topology). */
    static final IssueAnswers ISSUE = new IssueAnswers(IssueTopology.RESULTS_SINK, IssueTopology.AUDIT_SINK);
    static final IssueAnswers CLAIM = new IssueAnswers(IssueTopology.CLAIM_RESULTS_SINK, IssueTopology.CLAIM_AUDIT_SINK);

    private final String resultsSink;
    private final String auditSink;

    private IssueAnswers(String resultsSink, String auditSink) {
        this.resultsSink = resultsSink;
        this.auditSink = auditSink;
    }

    void answer(ProcessorContext<String, String> context, Record<String, String> request, String bot,
            IssueResult result, AuditEvent audit) {
        Headers replyHeaders = new RecordHeaders(request.headers().toArray());
        replyHeaders.remove(ReplyHeaders.TOPIC);
        replyHeaders.remove(ReplyHeaders.PARTITION);
        replyHeaders.remove(ReplyHeaders.DEAD_LETTER_REASON);
        // The sender's certificate and signature vouch for the request's bytes, not the answer's: no reader of
        // results checks them, and they were most of a result's bytes on Kafka.
        replyHeaders.remove(RequestSignatures.CERTIFICATE_HEADER);
        replyHeaders.remove(RequestSignatures.SIGNATURE_HEADER);
        context.forward(request.withKey(bot).withValue(EventJson.write(result)).withHeaders(replyHeaders),
                resultsSink);
        if (audit != null) {
            context.forward(new Record<>(bot, EventJson.write(audit), request.timestamp()), auditSink);
        }
    }

    static IssueResult refused(IssueRequest request, String code, String message) {
        return IssueResult.refused(request.requestId(), request.bot(), new Refusal(code, message));
    }

    static AuditEvent audit(IssueRequest request, IssueResult result) {
        String method = request.attestation() == null ? null : request.attestation().joinMethod();
        if (result.isIssued()) {
            IssuedIdentity id = result.identity();
            List<String> outputs = result.outputs() == null ? List.of() : result.outputs().stream()
                    .map(o -> o.name() + " " + o.kind() + " " + o.serial() + " " + o.roles() + " " + o.principals()).toList();
            return new AuditEvent(Instant.now(), AuditEvent.ISSUED, request.bot(), id.instanceId(), method, id.roles(),
                    id.principals(), id.serial(), id.validBefore(), null, null, outputs);
        }
        return new AuditEvent(Instant.now(), AuditEvent.REFUSED, request.bot(), null, method, null, null, null, null,
                result.refusal().code(), result.refusal().message());
    }

}
