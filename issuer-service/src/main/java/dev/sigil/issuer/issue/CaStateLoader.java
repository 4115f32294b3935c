package dev.sigil.issuer.issue;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.jboss.logging.Logger;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Names;
import dev.sigil.issuer.ca.CertificateAuthority;

/** Follows {@code sigil.ca} on every replica, so all of them sign with the generation the rotation phase says. */
final class CaStateLoader implements Processor<String, String, Void, Void> {
    private static final Logger LOG = Logger.getLogger(CaStateLoader.class);
    private final CertificateAuthority ca;

    CaStateLoader(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public void process(Record<String, String> record) {
        if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
            try {
                ca.apply(EventJson.read(record.value(), CaBundle.class));
            } catch (RuntimeException e) {
                // Only issuer-service writes this topic; a bad record must still not stop the global thread (and with
                // it every stream thread), so the CA keeps the state it had.
                LOG.errorf("ignoring an unusable CA bundle on sigil.ca: %s", Names.printable(String.valueOf(e.getMessage())));
            }
        }
    }
}
