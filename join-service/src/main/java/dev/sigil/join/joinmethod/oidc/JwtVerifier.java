package dev.sigil.join.joinmethod.oidc;

import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * Verifies a platform's signed token (a JWT) with Nimbus JOSE+JWT: the algorithm must be on the allow-list (never
 * {@code none}, never HMAC: the keys are public), the signature must verify with the keys the expected issuer
 * publishes, and issuer, audience and times must hold, with bounded clock skew. Each failure has its own reason.
 * A verified token comes with its {@link TokenProof proof id}. Key sets are cached per URL by {@link PlatformKeys}.
 */
@ApplicationScoped
public class JwtVerifier {
    static final Set<JWSAlgorithm> ALLOWED_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384);
    static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final Map<String, JWKSource<SecurityContext>> keySources = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public JwtVerifier() {
        this(Clock.systemUTC());
    }

    /** With the given clock for token times and key-set caching. */
    public JwtVerifier(Clock clock) {
        this.clock = clock;
    }

    /** A platform token whose signature, issuer, audience and times checked out, and its proof id. */
    public record Verified(JWTClaimsSet claims, String proofId) {
    }

    public Verified verify(String token, PlatformToken expected, String method) {
        SignedJWT jwt = read(token, method);
        JWTClaimsSet claims = verifySignature(jwt, expected);
        checkIssuer(claims, expected);
        checkAudience(claims, expected);
        checkTimes(claims);
        return new Verified(claims, TokenProof.of(jwt));
    }

    /**
     * Reads a platform token without verifying it: a signed JWT in compact form with canonical base64url parts
     * and an allowed algorithm, or a refusal saying what is wrong. Surrounding whitespace (a file's newline) is fine.
     */
    public static SignedJWT read(String token, String method) {
        if (token == null || token.isBlank()) {
            throw refuse(400, Refusal.MALFORMED_REQUEST, "join method '" + method + "' needs the platform's signed token in 'idToken'");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw refuse(400, Refusal.JWT_MALFORMED, "the platform token is over " + MAX_TOKEN_CHARS + " characters; send the JWT itself");
        }
        String trimmed = token.trim();
        TokenProof.requireCanonical(trimmed);
        JWT parsed;
        try {
            parsed = JWTParser.parse(trimmed);
        } catch (ParseException e) {
            throw refuse(400, Refusal.JWT_MALFORMED, "the platform token is not a JWT (" + e.getMessage() + ")");
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw refuse(401, Refusal.JWT_ALGORITHM_NOT_ALLOWED, "the platform token is not signed (alg "
                    + parsed.getHeader().getAlgorithm() + "); only signed tokens with " + ALLOWED_ALGORITHMS + " are accepted");
        }
        if (!ALLOWED_ALGORITHMS.contains(signed.getHeader().getAlgorithm())) {
            throw refuse(401, Refusal.JWT_ALGORITHM_NOT_ALLOWED, "the platform token is signed with "
                    + signed.getHeader().getAlgorithm() + "; only " + ALLOWED_ALGORITHMS + " are accepted");
        }
        return signed;
    }

    private JWTClaimsSet verifySignature(SignedJWT jwt, PlatformToken expected) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWTClaimsSetVerifier((claims, context) -> {
            // claims are checked below, each with its own reason
        });
        JWKSource<SecurityContext> keys = keySource(expected);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALLOWED_ALGORITHMS, keys));
        try {
            return processor.process(jwt, null);
        } catch (KeySourceException e) {
            throw refuse(503, Refusal.JWKS_UNAVAILABLE, "the keys of " + expected.issuer()
                    + " could not be fetched right now; retry shortly (" + e.getMessage() + ")");
        } catch (BadJOSEException | JOSEException e) {
            String keyId = jwt.getHeader().getKeyID();
            if (keys instanceof PlatformKeys published && keyId != null && !published.publishes(keyId)) {
                throw refuse(401, Refusal.JWT_BAD_SIGNATURE, "the platform token names key '" + keyId + "', which "
                        + expected.issuer() + " does not publish; if it has only just published that key, retry in "
                        + PlatformKeys.REREAD_AFTER.toSeconds() + " seconds");
            }
            throw refuse(401, Refusal.JWT_BAD_SIGNATURE, "the platform token's signature does not verify with the keys "
                    + expected.issuer() + " publishes; was it issued by another platform or altered?");
        }
    }

    /**
     * Whether the token's {@code iss} is the issuer the join token trusts, with or without one trailing slash: some
     * platforms' issuers end in {@code /} (Azure's {@code https://sts.windows.net/<tenant>/}) and join tokens are
     * written either way. Nothing looser: not two slashes, no case folding, no other normalisation.
     */
    static boolean sameIssuer(String trusted, String presented) {
        String base = trusted.endsWith("/") ? trusted.substring(0, trusted.length() - 1) : trusted;
        return presented != null && (presented.equals(base) || presented.equals(base + "/"));
    }

    private static void checkIssuer(JWTClaimsSet claims, PlatformToken expected) {
        if (!sameIssuer(expected.issuer(), claims.getIssuer())) {
            throw refuse(401, Refusal.JWT_WRONG_ISSUER, "the platform token was issued by '" + claims.getIssuer()
                    + "' but this join token trusts '" + expected.issuer() + "'");
        }
    }

    private static void checkAudience(JWTClaimsSet claims, PlatformToken expected) {
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(expected.audience())) {
            throw refuse(401, Refusal.JWT_WRONG_AUDIENCE, "the platform token is for audience " + audience
                    + "; request it with audience '" + expected.audience() + "'");
        }
    }

    private void checkTimes(JWTClaimsSet claims) {
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw refuse(401, Refusal.JWT_MISSING_CLAIM, "the platform token has no 'exp'; tokens without an expiry are not accepted");
        }
        if (!now.isBefore(exp.toInstant().plus(CLOCK_SKEW))) {
            throw refuse(401, Refusal.JWT_EXPIRED, "the platform token expired at " + exp.toInstant()
                    + "; request a fresh one in the job");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(CLOCK_SKEW).isBefore(nbf.toInstant())) {
            throw refuse(401, Refusal.JWT_NOT_YET_VALID, "the platform token is not valid before " + nbf.toInstant()
                    + "; check this machine's clock");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(CLOCK_SKEW).isBefore(iat.toInstant())) {
            throw refuse(401, Refusal.JWT_NOT_YET_VALID, "the platform token says it was issued at " + iat.toInstant()
                    + ", in the future; check the clocks");
        }
    }

    private JWKSource<SecurityContext> keySource(PlatformToken expected) {
        if (expected.staticJwks() != null) {
            return keySources.computeIfAbsent("static:" + expected.staticJwks(), k -> {
                try {
                    return new ImmutableJWKSet<>(JWKSet.parse(expected.staticJwks()));
                } catch (ParseException e) {
                    throw refuse(400, Refusal.MALFORMED_REQUEST, "the join token's static_jwks is not a JWK set: " + e.getMessage());
                }
            });
        }
        return keySources.computeIfAbsent(expected.jwksUri().toString(), url -> {
            try {
                return PlatformKeys.at(expected.jwksUri().toURL(), clock);
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw refuse(400, Refusal.MALFORMED_REQUEST, "the JWKS URL " + url + " is not a URL");
            }
        });
    }

    private static RefusalException refuse(int status, String code, String message) {
        return new RefusalException(status, code, message);
    }
}
