package dev.sigil.renewal.failures;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * renewal-service's {@code default.timestamp.extractor}: a record's own time, or the wall-clock time when it has
 * none (negative). Streams' default fails the stream thread on such a record, and replays it into the same failure;
 * this one lets the record reach its processor, which checks it like any other.
 */
public final class WallClockForInvalidTimestamp implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        return record.timestamp() >= 0 ? record.timestamp() : System.currentTimeMillis();
    }
}
