package dev.sigil.bench;

import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.issuer.ca.CertificateAuthority;
import dev.sigil.issuer.ca.SshPublicKeys;
import dev.sigil.issuer.policy.Grant;

/**
 * The crypto ceiling: what issuer-service signs for one identity — an OpenSSH user certificate and an X.509
 * certificate, with BouncyCastle — per second, in one JVM without Kafka. Run by {@link CryptoCeiling}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SigningBenchmark {
    /** {@code default}: Ed25519 CA keys; {@code legacy}: RSA-2048, for hosts that cannot take Ed25519. */
    @Param({ "default" })
    public String suite;

    private CertificateAuthority ca;
    private SshPublicKeys subject;
    private final Grant grant = new Grant(List.of("bench"), List.of("deploy"), List.of("permit-pty"), Duration.ofHours(1), null);
    private final BotInstance instance = new BotInstance("bench-instance", 1, "token", "bench-token");

    @Setup
    public void setUp() throws Exception {
        ca = new CertificateAuthority("bench.sigil.test", Files.createTempDirectory("sigil-bench-ca"), suite);
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        byte[] blob = OpenSSHPublicKeyUtil.encodePublicKey(generator.generateKeyPair().getPublic());
        subject = SshPublicKeys.parse("ssh-ed25519 " + Base64.getEncoder().encodeToString(blob));
    }

    /** One SSH certificate and one X.509 certificate: one issued identity. */
    @Benchmark
    public IssuedIdentity sshAndX509Pair() {
        return ca.issue("bench-bot", subject, grant, instance, Instant.now());
    }
}
