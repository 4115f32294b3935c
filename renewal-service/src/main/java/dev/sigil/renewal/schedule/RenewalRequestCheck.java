package dev.sigil.renewal.schedule;

import java.time.Duration;
import java.util.Optional;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.RenewalRequest;
import dev.sigil.contract.Topics;
import dev.sigil.renewal.failures.RecordFailures;

/**
 * Reads each renewal request once, before it is broadcast: one that is unreadable or names nothing sensible goes to
 * {@code sigil.renewal.requests.dlq} with the reason (once, not once per partition), a good one goes on, stamped
 * with the wall-clock time.
 */
final class RenewalRequestCheck implements Processor<String, String, String, String> {
    /** A renewal request is a few names and a duration; anything larger is not one, and is not copied to every partition. */
    static final int MAX_CHARS = 4_096;
    /** The longest window a renewal may be spread over: longer, and identities expire before their turn comes. */
    static final Duration MAX_SPREAD = Duration.ofDays(7);

    private final RecordFailures failures;
    private ProcessorContext<String, String> context;

    RenewalRequestCheck(RecordFailures failures) {
        this.failures = failures;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
        try {
            read(record.value());
        } catch (RuntimeException e) {
            failures.deadLetter(context, record, RenewalTopology.REQUEST_DEAD_LETTER_SINK, Topics.RENEWAL_REQUESTS,
                    RecordFailures.reason(e));
            return;
        }
        // Copied to every partition: the wall-clock time, never a hostile one the broker would refuse.
        context.forward(record.withTimestamp(context.currentSystemTimeMs()), RenewalTopology.BROADCAST_SINK);
    }

    /** The renewal request a record holds; {@link MalformedEventException} with the reason when it holds none. */
    static RenewalRequest read(String value) {
        if (value == null) {
            throw new MalformedEventException("an empty record is not a renewal request");
        }
        if (value.length() > MAX_CHARS) {
            throw new MalformedEventException("a renewal request of " + value.length() + " characters is over the limit of "
                    + MAX_CHARS);
        }
        RenewalRequest request = EventJson.read(value, RenewalRequest.class);
        problem(request).ifPresent(p -> {
            throw new MalformedEventException(p);
        });
        return request;
    }

    private static Optional<String> problem(RenewalRequest request) {
        if (request.requestId() == null) {
            return Optional.of("a renewal request needs a requestId");
        }
        Optional<String> names = Names.RESOURCE.problem(request.requestId()).map(p -> "requestId: " + p)
                .or(() -> request.bot() == null ? Optional.empty() : Names.RESOURCE.problem(request.bot()).map(p -> "bot: " + p))
                .or(() -> request.role() == null ? Optional.empty() : Names.RESOURCE.problem(request.role()).map(p -> "role: " + p));
        if (names.isPresent()) {
            return names;
        }
        if (RenewalRequest.BOT_DELETED.equals(request.scope()) && request.bot() == null) {
            return Optional.of("a renewal request of scope '" + RenewalRequest.BOT_DELETED + "' names the bot whose timers stop");
        }
        if (request.bot() == null && request.role() == null && !RenewalRequest.ALL.equals(request.scope())
                && !RenewalRequest.AFTER_CA_ROTATION.equals(request.scope())) {
            return Optional.of("a renewal request names a bot, a role or scope '" + RenewalRequest.ALL + "' or '"
                    + RenewalRequest.AFTER_CA_ROTATION + "', not scope '" + Names.printable(String.valueOf(request.scope())) + "'");
        }
        if (request.spread() != null && (request.spread().isNegative() || request.spread().compareTo(MAX_SPREAD) > 0)) {
            return Optional.of("spread " + request.spread() + " is not between 0 and " + MAX_SPREAD);
        }
        return Optional.empty();
    }
}
