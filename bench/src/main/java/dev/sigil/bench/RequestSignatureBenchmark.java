package dev.sigil.bench;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.deploy.BusCa;
import dev.sigil.issuer.sender.RequestSenders;

/**
 * What one issue request's signature costs: join-service signing it ({@link RequestSignatures.Signer}) and
 * issuer-service checking it ({@link RequestSenders#verify}, the certificate already seen, as for every request but a
 * sender's first), with the identity the launcher's {@link BusCa} makes. {@code ed25519}: the request-signing key;
 * {@code p256}: the same identity without it (a directory made before it existed, or a Strimzi Secret), signing with
 * the bus key. {@link SigningBenchmark} runs alongside: the certificates an issuance signs, the cost to compare with.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.RequestSignatureBenchmark</pre>
 */
@State(Scope.Benchmark)
public class RequestSignatureBenchmark {
    @Param({ "p256", "ed25519" })
    public String key;

    private RequestSignatures.Signer signer;
    private RequestSenders senders;
    private String value;
    private Headers signed;
    private PublicKey certificateKey;
    private byte[] signature;
    private final Instant now = Instant.now();

    @Setup
    public void setUp() throws Exception {
        BusCa ca = new BusCa(Files.createTempDirectory("sigil-bench-bus"));
        Path identity = ca.identity("join-service");
        if (key.equals("p256")) {
            Path old = Files.createTempDirectory("sigil-bench-p256");
            for (String file : List.of(RequestSignatures.KEY_FILE, RequestSignatures.CERTIFICATE_FILE, RequestSignatures.CA_FILE)) {
                Files.copy(identity.resolve(file), old.resolve(file));
            }
            identity = old;
        }
        signer = RequestSignatures.Signer.fromDirectory(identity);
        senders = new RequestSenders(List.of(ca.certificate()));
        value = EventJson.write(new IssueRequest("0b6f6d3e-8d5c-4a43-9f77-1c1f0e9a4b21", "deploy-bot",
                new Attestation("github", "github-deploy", "repo:example/app:ref:refs/heads/main#2745", now.plusSeconds(300)),
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG3bXJ1Vb3z2bq2bH0m9Q0b1p5QmP7xwRkJ6b0C0f1kM bench", Duration.ofHours(1),
                now));
        signed = signer.sign(new RecordHeaders(), value);
        senders.verify(signed, value, now);
        certificateKey = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
                Base64.getDecoder().decode(signed.lastHeader(RequestSignatures.CERTIFICATE_HEADER).value()))).getPublicKey();
        signature = Base64.getDecoder().decode(signed.lastHeader(RequestSignatures.SIGNATURE_HEADER).value());
    }

    /** join-service: sign one issue request. */
    @Benchmark
    public Headers sign() {
        return signer.sign(new RecordHeaders(), value);
    }

    /** issuer-service: check one issue request's sender and signature. */
    @Benchmark
    public RequestSenders.Sender verify() {
        return senders.verify(signed, value, now);
    }

    /** Microseconds per operation, then operations per second; one thread each, one fork per benchmark. */
    /**
     * The signature check alone with the key as the JDK parses it from the certificate, which RequestSenders kept
     * before it held the provider's own key: BouncyCastle then rebuilds the curve for every verification.
     */
    @Benchmark
    public boolean verifyWithTheJdkKey() {
        return RequestSignatures.verify(certificateKey, value, signature);
    }

    public static void main(String[] args) throws Exception {
        CryptoCeiling.forkWithThisClasspath();
        for (Mode mode : List.of(Mode.AverageTime, Mode.Throughput)) {
            new Runner(new OptionsBuilder().include(RequestSignatureBenchmark.class.getName())
                    .include(SigningBenchmark.class.getName()).mode(mode)
                    .timeUnit(mode == Mode.AverageTime ? TimeUnit.MICROSECONDS : TimeUnit.SECONDS).forks(1).threads(1)
                    .warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(2)).jvmArgs("-Xmx512m").build()).run();
        }
        System.out.println("Reproduce: mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.RequestSignatureBenchmark");
    }
}
