package dev.sigil.join.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;

/**
 * How each CI platform signs its webhooks, checked in constant time: GitHub's {@code X-Hub-Signature-256} is
 * HMAC-SHA256 over the raw body; GitLab sends its secret as {@code X-Gitlab-Token}.
 */
final class WebhookSignatures {

    static void githubHmac(Optional<String> secret, String header, byte[] body) {
        hmac(secret, "github", header, "sha256=", body);
    }

    static void gitlabToken(Optional<String> secret, String header) {
        String configured = configured(secret, "gitlab");
        if (header == null || !MessageDigest.isEqual(RequestGuards.sha256(header), RequestGuards.sha256(configured))) {
            throw refused("gitlab", "X-Gitlab-Token is missing or wrong");
        }
    }

    private static void hmac(Optional<String> secret, String platform, String header, String prefix, byte[] body) {
        String configured = configured(secret, platform);
        if (header == null || !header.startsWith(prefix)) {
            throw refused(platform, "the signature header is missing");
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(header.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            throw refused(platform, "the signature is not hex");
        }
        if (!MessageDigest.isEqual(presented, hmacSha256(configured, body))) {
            throw refused(platform, "the signature does not match the body");
        }
    }

    static byte[] hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String configured(Optional<String> secret, String platform) {
        return secret.filter(s -> !s.isBlank()).orElseThrow(() -> new RefusalException(401, Refusal.WEBHOOK_NOT_CONFIGURED,
                "no " + platform + " webhook secret is configured (SIGIL_WEBHOOKS_" + platform.toUpperCase()
                        + "_SECRET); Sigil refuses unsigned webhooks"));
    }

    private static RefusalException refused(String platform, String why) {
        return new RefusalException(401, Refusal.WEBHOOK_BAD_SIGNATURE, "the " + platform + " webhook was refused: " + why
                + "; check that the webhook's secret matches Sigil's");
    }

    private WebhookSignatures() {
    }
}
