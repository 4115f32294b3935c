package dev.sigil.issuer.issue;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import dev.sigil.contract.ServiceCertificateRequest;
import dev.sigil.contract.ServiceCertificateResult;
import dev.sigil.issuer.ca.CertificateAuthority;

/**
 * Signs TLS server certificates for Sigil's own services ({@code sigil.service-certificates} in, results out), only
 * for the names an operator allowed ({@code sigil.ca.service-names}): whoever may write the topic still cannot get
 * a certificate for an arbitrary host.
 */
final class ServiceCertificateProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(ServiceCertificateProcessor.class);
    static final String STAGE = "service-certificate";

    private final CertificateAuthority ca;
    private final Set<String> allowedNames;
    private final RecordFailures failures;
    private ProcessorContext<String, String> context;

    ServiceCertificateProcessor(CertificateAuthority ca, Set<String> allowedNames, RecordFailures failures) {
        this.ca = ca;
        this.allowedNames = allowedNames;
        this.failures = failures;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
        ServiceCertificateRequest request;
        try {
            request = EventJson.read(record.value(), ServiceCertificateRequest.class);
            if (request.requestId() == null || request.names() == null || request.names().isEmpty()
                    || request.names().contains(null) || Names.RESOURCE.problem(request.service()).isPresent()) {
                throw new MalformedEventException("a service certificate request needs requestId, names and a service "
                        + "that is a valid name");
            }
        } catch (RuntimeException e) { // not only MalformedEventException: never let one record stop the CA
            deadLetter(record, e.getMessage());
            return;
        }
        ServiceCertificateResult result;
        try {
            result = answer(request);
        } catch (RuntimeException e) {
            failures.failed(STAGE, e);
            LOG.errorf(e, "service certificate request %s failed", Names.printable(request.requestId()));
            result = new ServiceCertificateResult(request.requestId(), null, null, new Refusal(Refusal.ISSUANCE_FAILED,
                    "the issuer could not sign this service certificate (" + e.getClass().getSimpleName() + "); check "
                            + "the service name and public key"));
        }
        context.forward(record.withValue(EventJson.write(result)), IssueTopology.SERVICE_CERTIFICATE_RESULTS);
    }

    private void deadLetter(Record<String, String> record, String reason) {
        failures.deadLettered(Topics.SERVICE_CERTIFICATES);
        context.forward(record.withHeaders(ReplyHeaders.withDeadLetterReason(record.headers(), reason)),
                IssueTopology.SERVICE_CERTIFICATE_DEAD_LETTERS);
    }

    private ServiceCertificateResult answer(ServiceCertificateRequest request) {
        List<String> refused = request.names().stream().filter(n -> !allowedNames.contains(n)).toList();
        if (!refused.isEmpty()) {
            return new ServiceCertificateResult(request.requestId(), null, null, new Refusal(Refusal.NAME_NOT_ALLOWED,
                    "names " + refused + " are not in sigil.ca.service-names; add them there to serve under them"));
        }
        SubjectPublicKeyInfo key;
        try (PEMParser parser = new PEMParser(new StringReader(request.publicKey() == null ? "" : request.publicKey()))) {
            key = (SubjectPublicKeyInfo) parser.readObject();
        } catch (IOException | ClassCastException e) {
            key = null;
        }
        if (key == null) {
            return new ServiceCertificateResult(request.requestId(), null, null,
                    new Refusal(Refusal.INVALID_PUBLIC_KEY, "the public key is not a PEM SubjectPublicKeyInfo"));
        }
        String certificate = ca.issueServerCertificate(key, request.service(), request.names(), Instant.now());
        return new ServiceCertificateResult(request.requestId(), certificate, ca.bundle().x509Ca(CaBundle.SERVICE), null);
    }
}
