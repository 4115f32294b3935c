package dev.sigil.issuer.issue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;

/**
 * An issued answer kept by request id for {@link IssueTopology#REMEMBER_ANSWERS}, so a retried request gets it again
 * instead of new certificates. What the request was is kept as the SHA-256 of its public key
 * ({@code publicKeySha256}), enough to tell a retry from another request reusing the id; answers remembered before
 * kept the key itself ({@code publicKey}) and are still read.
 */
record AnsweredRequest(String bot, String publicKey, String publicKeySha256, IssueResult result) {

    /** The answer to remember for {@code request}: the result (naming its CA bundle) and the key's digest. */
    static AnsweredRequest of(IssueRequest request, IssueResult result) {
        return new AnsweredRequest(request.bot(), null, sha256(request.publicKey()), result);
    }

    /** The answer in the form written before digests, with the key itself. */
    static AnsweredRequest withKey(IssueRequest request, IssueResult result) {
        return new AnsweredRequest(request.bot(), request.publicKey(), null, result);
    }

    /** Whether {@code request} is a retry of the request answered: same bot, same public key. */
    boolean answers(IssueRequest request) {
        if (!bot.equals(request.bot()) || request.publicKey() == null) {
            return false;
        }
        return publicKeySha256 != null ? publicKeySha256.equals(sha256(request.publicKey()))
                : request.publicKey().equals(publicKey);
    }

    static String sha256(String publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
