package dev.sigil.issuer.issue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import dev.sigil.contract.AuditEvent;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaRotationRequest;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.issuer.ca.CertificateAuthority;

/**
 * Carries out CA rotation requests from {@code sigil.ca.rotations}: moves the phase, publishes the new trust on
 * {@code sigil.ca} and, when clients are updated, asks for every identity to renew, spread over a window. A request
 * the current phase does not allow is refused in the audit trail.
 */
final class RotationProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(RotationProcessor.class);
    private static final Duration DEFAULT_SPREAD = Duration.ofMinutes(10);

    private final CertificateAuthority ca;
    private ProcessorContext<String, String> context;

    RotationProcessor(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
        CaRotationRequest request;
        try {
            request = EventJson.read(record.value(), CaRotationRequest.class);
        } catch (RuntimeException e) { // only the admin API writes this topic; still, never stop on one record
            LOG.warnf("ignoring an unreadable CA rotation request: %s", Names.printable(String.valueOf(e.getMessage())));
            audit(record, AuditEvent.REFUSED, Refusal.MALFORMED_REQUEST, "an unreadable CA rotation request was ignored");
            return;
        }
        CaBundle next;
        try {
            next = ca.rotate(request.phase());
        } catch (IllegalStateException e) {
            audit(record, AuditEvent.REFUSED, Refusal.ROTATION_NOT_ALLOWED, e.getMessage());
            return;
        } catch (RuntimeException e) {
            LOG.errorf(e, "CA rotation to phase %s failed", Names.printable(String.valueOf(request.phase())));
            audit(record, AuditEvent.REFUSED, Refusal.ISSUANCE_FAILED, "CA rotation to phase '"
                    + Names.printable(String.valueOf(request.phase())) + "' failed (" + e.getClass().getSimpleName()
                    + "); the CA stays as it was, see the issuer's log");
            return;
        }
        context.forward(new Record<>(CaBundle.KEY, EventJson.write(next), record.timestamp()), IssueTopology.CA_SINK);
        if (CaBundle.UPDATE_CLIENTS.equals(next.phase())) {
            RenewalRequest renewAll = new RenewalRequest(UUID.randomUUID().toString(), RenewalRequest.AFTER_CA_ROTATION,
                    null, null, request.spread() == null ? DEFAULT_SPREAD : request.spread());
            context.forward(new Record<>(RenewalRequest.AFTER_CA_ROTATION, EventJson.write(renewAll), record.timestamp()),
                    IssueTopology.RENEWAL_REQUESTS_SINK);
        }
        audit(record, "ca-rotation", null, "CA rotation moved to " + next.phase() + " (active generation "
                + next.activeGeneration() + ", next " + next.nextGeneration() + ")");
    }

    private void audit(Record<String, String> record, String event, String code, String message) {
        context.forward(new Record<>(CaBundle.KEY, EventJson.write(new AuditEvent(Instant.now(), event, null, null, null,
                null, null, null, null, code, message)), record.timestamp()), "rotation-audit");
    }
}
