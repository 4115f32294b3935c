package dev.sigil.contract;

/**
 * Kafka headers of the request-reply exchange between join-service (SmallRye {@code KafkaRequestReply}) and
 * issuer-service. A reply must keep the correlation id and drop the reply topic and partition headers: a record that
 * still carries {@code REPLY_TOPIC} is taken for a request and ignored by the requester.
 */
public final class ReplyHeaders {
    public static final String CORRELATION_ID = "REPLY_CORRELATION_ID";
    public static final String TOPIC = "REPLY_TOPIC";
    public static final String PARTITION = "REPLY_PARTITION";
    /** Set on dead-lettered records: why the record could not be processed. */
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";

    private ReplyHeaders() {
    }
}
