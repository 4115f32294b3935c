package dev.sigil.contract;

import java.time.Duration;

/**
 * "Renew now", on {@code sigil.renewal.requests}: one bot ({@code bot}), every bot with a role ({@code role}), or
 * every identity ({@code scope} {@code all} or {@code after-ca-rotation}), spread over {@code spread}. Scope
 * {@code bot-deleted} with a {@code bot} is the opposite: renewal-service forgets that bot's identities and stops
 * their timers (it writes such a request itself when a bot's tombstone reaches {@code sigil.bots}).
 */
public record RenewalRequest(String requestId, String scope, String bot, String role, Duration spread) {
    public static final String ALL = "all";
    public static final String AFTER_CA_ROTATION = "after-ca-rotation";
    public static final String BOT_DELETED = "bot-deleted";
}
