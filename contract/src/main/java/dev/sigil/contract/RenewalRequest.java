package dev.sigil.contract;

import java.time.Duration;

/**
 * "Renew now", on {@code sigil.renewal.requests}: one bot ({@code bot}), every bot with a role ({@code role}), or
 * every identity ({@code scope} {@code all} or {@code after-ca-rotation}), spread over {@code spread}.
 */
public record RenewalRequest(String requestId, String scope, String bot, String role, Duration spread) {
    public static final String ALL = "all";
    public static final String AFTER_CA_ROTATION = "after-ca-rotation";
}
