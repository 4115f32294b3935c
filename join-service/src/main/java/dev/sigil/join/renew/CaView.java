package dev.sigil.join.renew;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.EventJson;

/** The CA issuer-service publishes on {@code sigil.ca}, read from the beginning: what renewing certificates must chain to. */
@ApplicationScoped
public class CaView {
    private final AtomicReference<X509Certificate> tlsCa = new AtomicReference<>();

    @Incoming("ca")
    public void apply(ConsumerRecord<String, String> record) throws CertificateException {
        if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
            CaBundle bundle = EventJson.read(record.value(), CaBundle.class);
            tlsCa.set((X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(bundle.tlsCa().getBytes(StandardCharsets.US_ASCII))));
        }
    }

    public Optional<X509Certificate> tlsCa() {
        return Optional.ofNullable(tlsCa.get());
    }
}
