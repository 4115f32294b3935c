package dev.sigil.join.renew;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaBundles;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import io.smallrye.mutiny.Uni;

/**
 * The CA state issuer-service publishes on {@code sigil.ca}, read from the beginning: what renewing certificates
 * must chain to (every trusted generation during a rotation), and the rotation phase; and the last few bundles by
 * version, to give a bot the bundle its issue result names.
 */
@ApplicationScoped
public class CaView {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(CaView.class);
    private final AtomicReference<CaBundle> bundle = new AtomicReference<>();
    private final AtomicReference<List<X509Certificate>> trustedTlsCas = new AtomicReference<>(List.of());
    /** How long an answer waits for this view to reach the bundle its result names (this view may lag the issuer). */
    static final java.time.Duration CATCH_UP = java.time.Duration.ofSeconds(5);
    private final CaBundles versions = new CaBundles();

    @Incoming("ca")
    public void apply(ConsumerRecord<String, String> record) {
        if (CaBundle.KEY.equals(record.key()) && record.value() != null) {
            try {
                CaBundle published = EventJson.read(record.value(), CaBundle.class);
                List<X509Certificate> trusted = new ArrayList<>();
                // A presented identity is a bot's: only the bot CA vouches for it, never the database or Kubernetes CA.
                for (String pem : published.trustedX509Cas(CaBundle.BOT)) {
                    trusted.add((X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
                }
                trustedTlsCas.set(List.copyOf(trusted));
                bundle.set(published);
                versions.add(published);
            } catch (CertificateException | RuntimeException e) {
                // Only issuer-service writes sigil.ca; a bad record keeps the trust we had and never stops this consumer.
                LOG.errorf("ignoring an unusable CA bundle on sigil.ca: %s", Names.printable(String.valueOf(e.getMessage())));
            }
        }
    }

    /** The bot CAs trusted right now (both generations during a rotation). */
    public List<X509Certificate> trustedTlsCas() {
        return trustedTlsCas.get();
    }

    public Optional<CaBundle> bundle() {
        return Optional.ofNullable(bundle.get());
    }

    /** This view knows the bundle a result names from here on (tests). */
    public void add(CaBundle published) {
        versions.add(published);
    }

    /**
     * {@code result} carrying the CA bundle it names, exactly as bots got it before results named it by version; a
     * result that carries its bundle as it is. A version this view has not read yet is waited for up to
     * {@link #CATCH_UP}, then refused with 503: never answered with another bundle, or none.
     */
    public Uni<IssueResult> withBundle(IssueResult result) {
        if (!result.namesCaByVersion()) {
            return Uni.createFrom().item(result);
        }
        return Uni.createFrom().completionStage(() -> versions.resolve(result, CATCH_UP)).onFailure().transform(f -> {
            LOG.warnf("issue result %s names CA bundle %s, which this replica has not read from sigil.ca within %s",
                    result.requestId(), result.caVersion(), CATCH_UP);
            return new RefusalException(503, Refusal.ISSUER_UNAVAILABLE, "the CA bundle of this answer has not reached "
                    + "this join-service yet; the certificates were issued, retry with the same request id shortly");
        });
    }
}
