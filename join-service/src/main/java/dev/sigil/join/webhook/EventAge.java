package dev.sigil.join.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * How old a webhook event is, told by the timestamps the platform put in the payload (covered by its signature,
 * unlike any header): an event that grants something and is older than {@code sigil.webhooks.max-age} is refused,
 * so a captured delivery cannot be replayed once the handled deliveries have been forgotten (after 7 days).
 */
@Singleton
public class EventAge {
    /** Deliveries are remembered 7 days (sigil.webhook.deliveries' retention); the window must end well before. */
    static final Duration LONGEST = Duration.ofDays(1);
    private static final List<DateTimeFormatter> FORMATS = List.of(DateTimeFormatter.ISO_OFFSET_DATE_TIME,
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z"), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z"));

    private final Clock clock;
    private final Duration maxAge;

    @Inject
    public EventAge(@ConfigProperty(name = "sigil.webhooks.max-age", defaultValue = "10m") Duration maxAge) {
        this(Clock.systemUTC(), maxAge);
    }

    EventAge(Clock clock, Duration maxAge) {
        if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(LONGEST) > 0) {
            throw new IllegalStateException("sigil.webhooks.max-age must be positive and at most " + LONGEST
                    + " (handled deliveries are remembered 7 days); it is " + maxAge);
        }
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /**
     * Refuses the event unless the newest of its timestamps (JSON pointers into the payload) is within the window.
     * An event carrying none of them cannot be dated, so it is refused too.
     */
    void requireFresh(String event, JsonNode payload, String... pointers) {
        Optional<Instant> newest = List.of(pointers).stream().map(p -> instant(payload.at(p))).flatMap(Optional::stream)
                .max(Instant::compareTo);
        if (newest.isEmpty()) {
            throw new RefusalException(400, Refusal.WEBHOOK_STALE, "the " + event + " event carries none of "
                    + List.of(pointers) + ", so its age is unknown; Sigil acts only on events it can date");
        }
        Instant oldest = clock.instant().minus(maxAge);
        if (newest.get().isBefore(oldest)) {
            throw new RefusalException(400, Refusal.WEBHOOK_STALE, "the " + event + " event is from " + newest.get()
                    + ", older than the " + readable(maxAge) + " Sigil accepts (sigil.webhooks.max-age): a replay "
                    + "or a late delivery; nothing was changed. Repeat the action on the platform to send a new event");
        }
    }

    private static String readable(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " minutes" : duration.toSeconds() + " seconds";
    }

    /** A timestamp as the platforms write them: ISO-8601, GitLab's "2024-01-02 03:04:05 UTC", or epoch seconds. */
    static Optional<Instant> instant(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Optional.of(Instant.ofEpochSecond(node.asLong()));
        }
        if (!node.isTextual()) {
            return Optional.empty();
        }
        for (DateTimeFormatter format : FORMATS) {
            try {
                return Optional.of(ZonedDateTime.parse(node.asText().trim(), format).toInstant());
            } catch (DateTimeParseException e) {
                // the next format
            }
        }
        return Optional.empty();
    }
}
