package dev.sigil.join.joinmethod.oidc;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * The proof id of a platform's signed token, the one place it is derived: {@code jwt:} and the SHA-256 of the
 * token's decoded payload, the claims the platform signed. issuer-service accepts each proof id once, so it must
 * not change when the same token is spelled differently. The token's text does: Nimbus decodes base64url leniently
 * (padding, {@code +} and {@code /}, whitespace, any other stray character and the unused low bits of the last
 * character are all accepted in the signature), the API server behind a TokenReview re-encodes what it decodes, and
 * an ES256 signature (r, s) verifies as (r, n-s) too. The payload bytes stay the same through all of these.
 * <p>
 * Besides, a token is only read when each of its parts is canonical base64url (RFC 7515: the URL-safe alphabet, no
 * padding, no whitespace, zero unused bits), so every verifier that sees it decodes the same bytes.
 */
public final class TokenProof {
    /** issuer-service claims proofs with this prefix once across all bots. */
    public static final String PREFIX = "jwt:";

    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** The proof id of a token whose signature has been (or is about to be) checked. */
    public static String of(SignedJWT jwt) {
        Base64URL[] parts = jwt.getParsedParts();
        if (parts == null || parts.length != 3) {
            throw new IllegalArgumentException("a proof id is derived from a parsed compact JWS");
        }
        for (Base64URL part : parts) {
            requireCanonicalPart(part.toString());
        }
        return PREFIX + HexFormat.of().formatHex(sha256(parts[1].decode()));
    }

    /** Refuses a compact token unless it is three parts of canonical base64url; the third may be empty (alg none). */
    static void requireCanonical(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw malformed("the platform token has " + parts.length + " parts; a signed JWT has three, separated by '.'");
        }
        for (String part : parts) {
            requireCanonicalPart(part);
        }
    }

    private static void requireCanonicalPart(String part) {
        boolean canonical;
        try {
            // The JDK's decoder is strict about the alphabet but ignores unused low bits: re-encoding shows those.
            canonical = ENCODER.encodeToString(DECODER.decode(part)).equals(part);
        } catch (IllegalArgumentException e) {
            canonical = false;
        }
        if (!canonical) {
            throw malformed("the platform token is not plain base64url (RFC 7515: A-Z a-z 0-9 - _ only, no padding, "
                    + "no whitespace); send the token exactly as the platform issued it");
        }
    }

    private static RefusalException malformed(String message) {
        return new RefusalException(400, Refusal.JWT_MALFORMED, message);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private TokenProof() {
    }
}
