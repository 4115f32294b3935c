package dev.sigil.contract;

import java.time.Instant;

/**
 * On {@code sigil.fleet}, keyed by bot: how many of the bot's identities are fresh, due, overdue or expired, as of
 * renewal-service's scan at {@code scannedAt}.
 */
public record BotFleetHealth(String bot, long fresh, long due, long overdue, long expired, Instant scannedAt) {
}
