package dev.sigil.output.delivery;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.jboss.logging.Logger;

import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;

/**
 * Parks a record output-writer cannot use on its topic's dead-letter topic ({@link Topics#deadLetter}) with the
 * reason in header {@code dead-letter-reason}, logs and counts it. Compacted deliveries are read again from the start
 * whenever a replica gets their partition, so a record is parked once per process, not at every rebalance.
 */
final class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    /** A reason is quoted in a header and a log line: long enough to say what broke, short enough to stay one. */
    private static final int MAX_REASON = 1_000;
    private static final int REMEMBERED = 10_000;

    private final Producer<String, String> producer;
    private final RecordFailures failures;
    private final Set<String> parked = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    }));

    DeadLetters(Producer<String, String> producer, RecordFailures failures) {
        this.producer = producer;
        this.failures = failures;
    }

    void park(ConsumerRecord<String, ?> record, String value, String reason) {
        if (!parked.add(record.topic() + "/" + record.partition() + "/" + record.offset())) {
            return;
        }
        String why = printable(reason);
        String topic = Topics.deadLetter(record.topic());
        LOG.warnf("dead-lettering a record of %s (key %s) to %s: %s", record.topic(), printable(String.valueOf(record.key())),
                topic, why);
        Headers headers = ReplyHeaders.withDeadLetterReason(record.headers(), why);
        // No timestamp of the record's own: the producer stamps it now, which the broker always takes.
        producer.send(new ProducerRecord<>(topic, null, null, record.key(), value, headers), (metadata, e) -> {
            if (e != null) {
                LOG.errorf("could not dead-letter a record of %s (key %s): %s", record.topic(),
                        printable(String.valueOf(record.key())), e.getMessage());
            }
        });
        failures.deadLettered(record.topic());
    }

    /** Text from a hostile record as it may be logged or put in a header: control characters escaped, bounded. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(MAX_REASON).forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > MAX_REASON ? out + "…" : out.toString();
    }
}
