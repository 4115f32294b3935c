package dev.sigil.output.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import dev.sigil.contract.CaBundles;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.contract.Topics;
import dev.sigil.output.output.RenderCheck;

/**
 * output-writer's way to the issuer: puts issue requests on {@code sigil.issue.requests} and waits for the result
 * with the same request id on {@code sigil.issue.results} (committed records only, from every partition, from
 * where it stood when it started), then puts back the CA bundle the result names from its own view of
 * {@code sigil.ca} ({@link CaBundleFollower}). A request that times out is sent again with the same id, and the issuer
 * answers a repeated id with the certificates it issued the first time. An answer that cannot be rendered safely
 * ({@link RenderCheck}) is dead-lettered with the reason and ends the wait with {@link RejectedAnswer}; results of
 * requests nobody here waits for are someone else's and are skipped. No result stops the reader.
 */
final class IssueRequests implements Issuer {
    private static final Logger LOG = Logger.getLogger(IssueRequests.class);
    private static final int ATTEMPTS = 3;

    /** The issuer's answer could not be used; it is on {@code sigil.issue.results.dlq} with this reason. */
    static final class RejectedAnswer extends RuntimeException {
        RejectedAnswer(String reason) {
            super(reason);
        }
    }

    private record Waiting(IssueRequest request, CompletableFuture<Answer> answer) {
    }

    /** A result read for a waiting request, with the record it came in (to dead-letter it if it cannot be used). */
    private record Answer(ConsumerRecord<String, byte[]> record, String text, IssueResult result) {
    }

    /** How long an answer waits for this writer's view of {@code sigil.ca} to reach the bundle the result names. */
    static final Duration CA_CATCH_UP = Duration.ofSeconds(5);

    private final Producer<String, String> producer;
    private java.util.Optional<RequestSignatures.Signer> signer = java.util.Optional.empty();
    private final Consumer<String, byte[]> results;
    private final DeadLetters deadLetters;
    private final RecordFailures failures;
    private final Map<String, Waiting> pending = new ConcurrentHashMap<>();
    /** How many requests each bot has waiting: results of other bots are skipped unread (results are keyed by bot). */
    private final Map<String, Integer> waitingBots = new ConcurrentHashMap<>();
    private final Duration timeout;
    /** The CA bundles results name by version; results that carry their bundle need none. */
    private final CaBundles caBundles;
    private final AutoCloseable caFollower;
    private volatile boolean running = true;

    IssueRequests(String bootstrapServers, Duration timeout, RecordFailures failures) {
        this(producer(bootstrapServers), results(bootstrapServers), timeout, failures, new CaBundleFollower(bootstrapServers));
        Thread reader = new Thread(this::readResults, "issue-results-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Signs every request with this writer's bus identity, as the issuer requires of a delivery's requests. */
    IssueRequests signedBy(java.util.Optional<RequestSignatures.Signer> signer) {
        this.signer = signer;
        return this;
    }

    /** With clients of the caller's, and no reader thread: the caller calls {@link #readOnce()}. */
    IssueRequests(Producer<String, String> producer, Consumer<String, byte[]> results, Duration timeout, RecordFailures failures) {
        this(producer, results, timeout, failures, new CaBundles(), () -> { });
    }

    /** As above, knowing the CA bundles in {@code caBundles} (tests add them by hand). */
    IssueRequests(Producer<String, String> producer, Consumer<String, byte[]> results, Duration timeout, RecordFailures failures,
            CaBundles caBundles) {
        this(producer, results, timeout, failures, caBundles, () -> { });
    }

    private IssueRequests(Producer<String, String> producer, Consumer<String, byte[]> results, Duration timeout,
            RecordFailures failures, CaBundleFollower follower) {
        this(producer, results, timeout, failures, follower.bundles(), follower);
    }

    private IssueRequests(Producer<String, String> producer, Consumer<String, byte[]> results, Duration timeout,
            RecordFailures failures, CaBundles caBundles, AutoCloseable caFollower) {
        this.caBundles = caBundles;
        this.caFollower = caFollower;
        this.producer = producer;
        this.results = results;
        this.timeout = timeout;
        this.failures = failures;
        this.deadLetters = new DeadLetters(producer, failures);
        TopicReader.followFromNow(results, Topics.ISSUE_RESULTS); // before the first request goes out
    }

    private static Producer<String, String> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.putAll(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static Consumer<String, byte[]> results(String bootstrapServers) {
        Properties c = new Properties();
        c.putAll(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Sends the request and waits for its result, retrying with the same request id. */
    @Override
    public IssueResult issue(IssueRequest request) throws InterruptedException, TimeoutException {
        Waiting waiting = pending.computeIfAbsent(request.requestId(), id -> new Waiting(request, new CompletableFuture<>()));
        waitingBots.merge(request.bot(), 1, Integer::sum);
        try {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                String value = EventJson.write(request);
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ISSUE_REQUESTS, request.bot(), value);
                signer.ifPresent(s -> s.sign(record.headers(), value)); // the issuer takes deliveries only from writers
                producer.send(record);
                Answer answer;
                try {
                    answer = waiting.answer().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    LOG.warnf("no answer to issue request %s for bot %s after %s (attempt %d)", request.requestId(),
                            request.bot(), timeout, attempt);
                    continue;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
                return usable(answer, request);
            }
            throw new TimeoutException("the issuer did not answer request " + request.requestId() + " in " + ATTEMPTS
                    + " attempts; is issuer-service running?");
        } finally {
            pending.remove(request.requestId());
            waitingBots.computeIfPresent(request.bot(), (bot, n) -> n == 1 ? null : n - 1);
        }
    }

    private void readResults() {
        try {
            while (running) {
                try {
                    readOnce();
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The consumer itself failed (not a record: those are handled one by one); poll again.
                    LOG.errorf(e, "reading %s failed; reading on", Topics.ISSUE_RESULTS);
                    failures.failed("read-issue-results", e);
                    pause();
                }
            }
        } catch (WakeupException | InterruptException e) {
            // closing
        } finally {
            results.close();
        }
    }

    /** One poll: each result answers the request waiting for it, if any. */
    void readOnce() {
        for (ConsumerRecord<String, byte[]> record : results.poll(Duration.ofMillis(500))) {
            try {
                onResult(record);
            } catch (RuntimeException e) {
                LOG.warnf("skipping issue result at %s-%d offset %d: %s", record.topic(), record.partition(), record.offset(),
                        DeadLetters.printable(String.valueOf(e)));
                failures.ignored(Topics.ISSUE_RESULTS);
            }
        }
    }

    private void onResult(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null || record.key() == null || !waitingBots.containsKey(record.key())) {
            return; // another requester's traffic
        }
        String text = new String(record.value(), StandardCharsets.UTF_8);
        IssueResult result;
        try {
            result = EventJson.read(text, IssueResult.class);
        } catch (MalformedEventException e) {
            // renewal-service dead-letters unreadable results; a second copy would only be noise.
            LOG.warnf("skipping an unreadable issue result for bot %s: %s", DeadLetters.printable(record.key()),
                    DeadLetters.printable(e.getMessage()));
            failures.ignored(Topics.ISSUE_RESULTS);
            return;
        }
        Waiting waiting = result.requestId() == null ? null : pending.get(result.requestId());
        if (waiting == null) {
            return; // a result for a request not made here
        }
        waiting.answer().complete(new Answer(record, text, result));
    }

    /**
     * The answer with the CA bundle it names (waiting up to {@link #CA_CATCH_UP} for this writer's view of
     * {@code sigil.ca} to reach it; else a {@link TimeoutException}, and the delivery tries again), checked by
     * {@link RenderCheck}: one that cannot be rendered safely is dead-lettered and refused with {@link RejectedAnswer}.
     */
    private IssueResult usable(Answer answer, IssueRequest request) throws InterruptedException, TimeoutException {
        IssueResult result = caBundles.resolveBlocking(answer.result(), CA_CATCH_UP);
        Optional<String> problem = RenderCheck.problem(result, request.bot(), request.outputs());
        if (problem.isPresent()) {
            String reason = "the answer to issue request " + result.requestId() + " cannot be used: " + problem.get();
            deadLetters.park(answer.record(), answer.text(), reason);
            throw new RejectedAnswer(reason);
        }
        return result;
    }

    private void pause() {
        try {
            TimeUnit.SECONDS.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            caFollower.close();
        } catch (Exception e) {
            LOG.debugf("closing the CA bundle follower: %s", e);
        }
        results.wakeup();
        producer.close(Duration.ofSeconds(5));
    }
}
