package dev.sigil.output.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The agent trusts join-service only through the pinned service CA, for {@code serverAuth}, under a DNS or IP SAN
 * equal to the host it dialled: the CN never counts, and no client certificate (of any CA) poses as join-service.
 */
class CaPinsTest {
    private static final Provider BC = bouncyCastle();
    private static final String HOST = "127.0.0.1";

    private final Issuer serviceCa = new Issuer("Sigil service CA test", true);
    private final Issuer databaseCa = new Issuer("Sigil database CA test", true);
    private final CaPins agent = new CaPins(List.of(CaPins.pinOf(serviceCa.certificate)));

    @Test
    void theProperServiceCertificateIsAccepted() throws Exception {
        Leaf proper = serviceCa.leaf("join-service", List.of(KeyPurposeId.id_kp_serverAuth), ip(HOST), dns("localhost"));

        assertThatCode(() -> agent.check(proper.chain(), HOST)).doesNotThrowAnyException();
        assertThatCode(() -> agent.check(proper.chain(), "localhost")).doesNotThrowAnyException();
        assertThatCode(() -> agent.check(proper.chain(), "[::1]")).isInstanceOf(CertificateException.class);
        assertThatThrownBy(() -> agent.check(proper.chain(), "join.evil.test")).hasMessageContaining("does not name join.evil.test");
    }

    @Test
    void aDatabaseCertificateForTheHostIsRefused() throws Exception {
        // A database certificate whose user is the join-service host, from the database CA: never join-service.
        Leaf database = databaseCa.leaf(HOST, List.of(KeyPurposeId.id_kp_clientAuth), ip(HOST));
        assertThatThrownBy(() -> agent.check(database.chain(), HOST)).hasMessageContaining("does not chain to a CA matching");

        // Even when a pin also names the database CA (as one CA for everything did), it is no server certificate.
        CaPins both = new CaPins(List.of(CaPins.pinOf(serviceCa.certificate), CaPins.pinOf(databaseCa.certificate)));
        assertThatThrownBy(() -> both.check(database.chain(), HOST)).hasMessageContaining("no serverAuth");
    }

    @Test
    void aServiceCaCertificateWithoutServerAuthIsRefused() throws Exception {
        Leaf client = serviceCa.leaf("join-service", List.of(KeyPurposeId.id_kp_clientAuth), ip(HOST));
        Leaf noUsage = serviceCa.leaf("join-service", List.of(), ip(HOST));

        assertThatThrownBy(() -> agent.check(client.chain(), HOST)).hasMessageContaining("no serverAuth");
        assertThatThrownBy(() -> agent.check(noUsage.chain(), HOST)).hasMessageContaining("no serverAuth");
    }

    @Test
    void aMatchingCnWithoutSanIsRefused() throws Exception {
        Leaf cnOnly = serviceCa.leaf(HOST, List.of(KeyPurposeId.id_kp_serverAuth));
        Leaf cnOnlyDns = serviceCa.leaf("localhost", List.of(KeyPurposeId.id_kp_serverAuth));
        Leaf otherSan = serviceCa.leaf(HOST, List.of(KeyPurposeId.id_kp_serverAuth), dns("join-service"));

        assertThatThrownBy(() -> agent.check(cnOnly.chain(), HOST)).hasMessageContaining("the CN is not read");
        assertThatThrownBy(() -> agent.check(cnOnlyDns.chain(), "localhost")).hasMessageContaining("the CN is not read");
        assertThatThrownBy(() -> agent.check(otherSan.chain(), HOST)).hasMessageContaining("the CN is not read");
    }

    @Test
    void withoutTheDialledHostNothingIsTrusted() throws Exception {
        Leaf proper = serviceCa.leaf("join-service", List.of(KeyPurposeId.id_kp_serverAuth), ip(HOST));
        assertThatThrownBy(() -> agent.checkServerTrusted(proper.chain(), "ECDHE_ECDSA")).hasMessageContaining("host name");
    }

    /** Real handshakes, over the agent's HTTP client (SSLEngine) and over a socket: the JDK adds no CN fallback. */
    @Test
    void realHandshakesAcceptOnlyTheProperServiceCertificate() throws Exception {
        List<String> refused = new ArrayList<>();
        int tried = 0;
        int through = 0;
        List<Leaf> hostile = List.of(
                databaseCa.leaf(HOST, List.of(KeyPurposeId.id_kp_clientAuth), ip(HOST)),
                serviceCa.leaf("join-service", List.of(KeyPurposeId.id_kp_clientAuth), ip(HOST)),
                serviceCa.leaf(HOST, List.of(KeyPurposeId.id_kp_serverAuth)));
        for (Leaf leaf : hostile) {
            for (boolean engine : List.of(true, false)) {
                tried++;
                if (handshake(leaf, engine)) {
                    through++;
                } else {
                    refused.add(leaf.certificate.getSubjectX500Principal().getName());
                }
            }
        }
        assertThat(through).as("hostile certificates accepted").isZero();
        Leaf proper = serviceCa.leaf("join-service", List.of(KeyPurposeId.id_kp_serverAuth), ip(HOST), dns("localhost"));
        assertThat(handshake(proper, true)).as("the proper certificate over HttpClient").isTrue();
        assertThat(handshake(proper, false)).as("the proper certificate over a socket").isTrue();
        System.out.printf("CaPins handshakes: %d hostile tried, %d refused, %d through%n", tried, refused.size(), through);
    }

    private boolean handshake(Leaf leaf, boolean overHttpClient) throws Exception {
        try (SSLServerSocket server = (SSLServerSocket) leaf.serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName(HOST))) {
            Thread serving = new Thread(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.setSoTimeout(5000);
                    accepted.startHandshake();
                    accepted.getInputStream().read(new byte[4096]);
                    accepted.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    accepted.getOutputStream().flush();
                } catch (IOException refusedByTheClient) {
                    // the agent aborted the handshake
                }
            });
            serving.start();
            try {
                if (overHttpClient) {
                    HttpClient client = HttpClient.newBuilder().sslContext(agent.sslContext()).connectTimeout(Duration.ofSeconds(5)).build();
                    HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("https://" + HOST + ":" + server.getLocalPort() + "/"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    return answer.statusCode() == 200;
                }
                try (SSLSocket socket = (SSLSocket) agent.sslContext().getSocketFactory().createSocket(HOST, server.getLocalPort())) {
                    socket.setSoTimeout(5000);
                    socket.startHandshake();
                    return true;
                }
            } catch (IOException e) {
                return false;
            } finally {
                serving.join(10_000);
            }
        }
    }

    private static GeneralName ip(String address) {
        return new GeneralName(GeneralName.iPAddress, address);
    }

    private static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    record Leaf(KeyPair keys, X509Certificate certificate, X509Certificate ca) {
        X509Certificate[] chain() {
            return new X509Certificate[] { certificate, ca };
        }

        SSLContext serverContext() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", keys.getPrivate(), new char[0], chain());
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        }
    }

    /** A CA that signs leaves as the test needs them, with BouncyCastle. */
    static final class Issuer {
        final KeyPair keys = ecKeys();
        final X509Certificate certificate;

        Issuer(String name, boolean ca) {
            X500Name subject = new X500Name("CN=" + name);
            certificate = sign(new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject, keys.getPublic()),
                    new BasicConstraints(ca), KeyUsage.keyCertSign | KeyUsage.cRLSign, keys);
        }

        Leaf leaf(String commonName, List<KeyPurposeId> purposes, GeneralName... sans) throws Exception {
            KeyPair leafKeys = ecKeys();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial(), notBefore(), notAfter(),
                    new X500Name("CN=" + commonName), leafKeys.getPublic());
            if (!purposes.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            if (sans.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            }
            return new Leaf(leafKeys, sign(builder, new BasicConstraints(false), KeyUsage.digitalSignature, keys), certificate);
        }

        private static X509Certificate sign(X509v3CertificateBuilder builder, BasicConstraints constraints, int usage, KeyPair signer) {
            try {
                builder.addExtension(Extension.basicConstraints, true, constraints)
                        .addExtension(Extension.keyUsage, true, new KeyUsage(usage));
                return new JcaX509CertificateConverter().setProvider(BC).getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(signer.getPrivate())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(63, new SecureRandom());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(Duration.ofMinutes(5)));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(Duration.ofHours(1)));
    }

    private static Provider bouncyCastle() {
        Provider existing = Security.getProvider(BouncyCastleProvider.PROVIDER_NAME);
        if (existing != null) {
            return existing;
        }
        Provider provider = new BouncyCastleProvider();
        Security.addProvider(provider);
        return provider;
    }
}
