package dev.sigil.issuer.issue;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.issuer.ca.CertificateAuthority;

/** Follows {@code sigil.ca} on every replica, so all of them sign with the generation the rotation phase says. */
final class CaStateLoader implements Processor<String, String, Void, Void> {
    private final CertificateAuthority ca;

    CaStateLoader(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public void process(Record<String, String> record) {
        if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
            try {
                ca.apply(EventJson.read(record.value(), CaBundle.class));
            } catch (MalformedEventException ignored) {
                // only issuer-service writes this topic
            }
        }
    }
}
