package dev.sigil.contract;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Kafka headers of the request-reply exchange between join-service ({@code IssueExchange}) and issuer-service. A reply
 * keeps the request's correlation id (each join-service call's own, never the client's request id) and drops the
 * reply topic and partition headers, which requesters from before {@code IssueExchange} set.
 */
public final class ReplyHeaders {
    public static final String CORRELATION_ID = "REPLY_CORRELATION_ID";
    public static final String TOPIC = "REPLY_TOPIC";
    public static final String PARTITION = "REPLY_PARTITION";
    /** Set on dead-lettered records: why the record could not be processed. */
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";

    /** A copy of a record's headers with the reason it is dead-lettered added, for its dead-letter topic. */
    public static Headers withDeadLetterReason(Headers headers, String reason) {
        Headers copy = new RecordHeaders(headers.toArray());
        copy.add(DEAD_LETTER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        return copy;
    }

    private ReplyHeaders() {
    }
}
