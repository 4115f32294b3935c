package dev.sigil.join.joinmethod;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * Server challenges for join methods that sign something fresh (iam, bound_keypair). A challenge is random bytes
 * and an expiry, authenticated with an HMAC under a key all replicas share ({@code sigil.join.challenge-key}), so
 * any replica can check it without shared state; issuer-service accepts each challenge once.
 */
@Singleton
public class Challenges {
    public static final Duration LIFETIME = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE = 24;
    private static final int MAC = 16;

    private final byte[] key;
    private final Clock clock;

    @Inject
    public Challenges(@ConfigProperty(name = "sigil.join.challenge-key") Optional<String> configuredKey) {
        this(configuredKey.filter(k -> !k.isBlank()).map(k -> k.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .orElseGet(Challenges::randomKey), Clock.systemUTC());
    }

    Challenges(byte[] key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** A challenge valid for {@link #LIFETIME}. */
    public String issue() {
        ByteBuffer buffer = ByteBuffer.allocate(NONCE + Long.BYTES + MAC);
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        buffer.put(nonce).putLong(clock.instant().plus(LIFETIME).getEpochSecond());
        buffer.put(mac(Arrays.copyOf(buffer.array(), NONCE + Long.BYTES)));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /** Checks a challenge this service issued and returns when it expires. */
    public Instant verify(String challenge) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(challenge == null ? "" : challenge);
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != NONCE + Long.BYTES + MAC
                || !MessageDigest.isEqual(mac(Arrays.copyOf(bytes, NONCE + Long.BYTES)), Arrays.copyOfRange(bytes, NONCE + Long.BYTES, bytes.length))) {
            throw new RefusalException(401, Refusal.CHALLENGE_INVALID,
                    "the challenge was not issued by Sigil; get one from POST /v1/join/challenge");
        }
        Instant expires = Instant.ofEpochSecond(ByteBuffer.wrap(bytes, NONCE, Long.BYTES).getLong());
        if (!clock.instant().isBefore(expires)) {
            throw new RefusalException(401, Refusal.CHALLENGE_INVALID, "the challenge expired at " + expires
                    + "; get a fresh one and sign it within " + LIFETIME.toMinutes() + " minutes");
        }
        return expires;
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(data), MAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }
}
