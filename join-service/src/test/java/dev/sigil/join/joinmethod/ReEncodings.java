package dev.sigil.join.joinmethod;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.jwk.Curve;

/**
 * Every way a replayed token can be spelled so that a lenient base64url decoder reads the same bytes: padding,
 * the {@code +}/{@code /} alphabet, the unused low bits of a part's last character, line breaks, spaces and stray
 * characters (Nimbus skips those in the signature; Go, behind a TokenReview, skips line breaks and re-encodes), and
 * for ES256 the mirrored signature (r, n-s), which verifies as well as (r, s).
 */
public final class ReEncodings {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final String[] PART_NAMES = {"header", "payload", "signature"};

    /** The token's other spellings, by what was done; each differs from the token's text. */
    public static Map<String, String> of(String token) {
        String[] parts = token.split("\\.", -1);
        Map<String, String> variants = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            String part = parts[i];
            String name = PART_NAMES[i];
            if (part.length() % 4 != 0) {
                variants.put(name + " padded with '='", with(parts, i, part + "=".repeat(4 - part.length() % 4)));
                char last = part.charAt(part.length() - 1);
                // The last character of a part of length 4k+2 or 4k+3 carries 4 or 2 bits nobody reads.
                variants.put(name + " with other unused low bits", with(parts, i, part.substring(0, part.length() - 1)
                        + ALPHABET.charAt(ALPHABET.indexOf(last) ^ 1)));
            }
            String standard = part.replace('-', '+').replace('_', '/');
            if (!standard.equals(part)) {
                variants.put(name + " in the '+' '/' alphabet", with(parts, i, standard));
            }
            int middle = part.length() / 2;
            variants.put(name + " with a line break", with(parts, i, part.substring(0, middle) + "\r\n" + part.substring(middle)));
            variants.put(name + " with a space", with(parts, i, part.substring(0, middle) + " " + part.substring(middle)));
            variants.put(name + " with a stray character", with(parts, i, part.substring(0, middle) + "!" + part.substring(middle)));
        }
        variants.put("base64 padding on every part", String.join(".", Arrays.stream(parts)
                .map(p -> p.length() % 4 == 0 ? p : p + "=".repeat(4 - p.length() % 4)).toList()));
        return variants;
    }

    /** An ES256 token with its signature (r, s) replaced by (r, n-s), n the order of P-256. */
    public static String mirroredEs256(String token) {
        String[] parts = token.split("\\.", -1);
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        BigInteger n = Curve.P_256.toECParameterSpec().getOrder();
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        byte[] mirrored = n.subtract(s).toByteArray();
        byte[] out = Arrays.copyOf(signature, 64);
        Arrays.fill(out, 32, 64, (byte) 0);
        int length = Math.min(mirrored.length, 32);
        System.arraycopy(mirrored, mirrored.length - length, out, 64 - length, length);
        return with(parts, 2, Base64.getUrlEncoder().withoutPadding().encodeToString(out));
    }

    private static String with(String[] parts, int index, String replacement) {
        String[] copy = parts.clone();
        copy[index] = replacement;
        return String.join(".", copy);
    }

    private ReEncodings() {
    }
}
