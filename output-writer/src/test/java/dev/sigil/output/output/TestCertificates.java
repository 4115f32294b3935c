package dev.sigil.output.output;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.IssuedOutput;
import dev.sigil.contract.OutputRequest;

/** Certificates shaped as the issuer writes them (a real X.509 PEM, OpenSSH lines), for rendering tests. */
public final class TestCertificates {
    public static final String PEM = selfSigned();
    public static final String SSH_CA = "ssh-ed25519 " + Base64.getEncoder().encodeToString("a CA key blob".getBytes());
    public static final String SSH_CERT = "ssh-ed25519-cert-v01@openssh.com "
            + Base64.getEncoder().encodeToString("a certificate blob".getBytes()) + " bot-ci/i-1";
    public static final CaBundle CA = new CaBundle("sigil.local", SSH_CA, SSH_CA, PEM);

    /** What the issuer answers to a request: the identity for the request's key and each output asked for. */
    public static IssueResult issued(IssueRequest request, List<String> logins) {
        Instant now = Instant.now();
        Instant until = now.plus(Duration.ofHours(1));
        List<IssuedOutput> outputs = request.outputs().stream().map((OutputRequest o) -> new IssuedOutput(o.name(), o.kind(),
                OutputRequest.SSH_HOST.equals(o.kind()) ? SSH_CERT : null,
                PEM, List.of("access"), List.of(), until, null, null, null, "7")).toList();
        return new IssueResult(request.requestId(), request.bot(), new IssuedIdentity("delivery-" + request.attestation().joinToken(),
                1, SSH_CERT, PEM, "42", List.of("access"), logins, now, until, null), outputs, null, CA);
    }

    private static String selfSigned() {
        return selfSigned("test");
    }

    /** A self-signed certificate named {@code CN=<commonName>}, as a stand-in for one of Sigil's CAs. */
    public static String selfSigned(String commonName) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            var certificate = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)),
                    Date.from(Instant.now().plus(Duration.ofDays(1))), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            StringWriter text = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
                writer.writeObject(certificate);
            }
            return text.toString();
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestCertificates() {
    }
}
