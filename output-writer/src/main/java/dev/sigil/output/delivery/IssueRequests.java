package dev.sigil.output.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * output-writer's way to the issuer: puts issue requests on {@code sigil.issue.requests} and waits for the result
 * with the same request id on {@code sigil.issue.results} (committed records only, from every partition, from
 * where it stood when it started). A request that times out is sent again with the same id, and the issuer
 * answers a repeated id with the certificates it issued the first time.
 */
final class IssueRequests implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IssueRequests.class);
    private static final int ATTEMPTS = 3;

    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, byte[]> results;
    private final Map<String, CompletableFuture<IssueResult>> pending = new ConcurrentHashMap<>();
    /** How many requests each bot has waiting: results of other bots are skipped unread (results are keyed by bot). */
    private final Map<String, Integer> waitingBots = new ConcurrentHashMap<>();
    private final Thread reader;
    private final Duration timeout;
    private volatile boolean running = true;

    IssueRequests(String bootstrapServers, Duration timeout) {
        this.timeout = timeout;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.results = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        TopicReader.followFromNow(results, Topics.ISSUE_RESULTS); // before the first request goes out
        this.reader = new Thread(this::readResults, "issue-results-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends the request and waits for its result, retrying with the same request id. */
    IssueResult issue(IssueRequest request) throws InterruptedException, TimeoutException {
        CompletableFuture<IssueResult> answer = pending.computeIfAbsent(request.requestId(), id -> new CompletableFuture<>());
        waitingBots.merge(request.bot(), 1, Integer::sum);
        try {
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                producer.send(new ProducerRecord<>(Topics.ISSUE_REQUESTS, request.bot(), EventJson.write(request)));
                try {
                    return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    LOG.warnf("no answer to issue request %s for bot %s after %s (attempt %d)", request.requestId(),
                            request.bot(), timeout, attempt);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            throw new TimeoutException("the issuer did not answer request " + request.requestId() + " in " + ATTEMPTS
                    + " attempts; is issuer-service running?");
        } finally {
            pending.remove(request.requestId());
            waitingBots.computeIfPresent(request.bot(), (bot, n) -> n == 1 ? null : n - 1);
        }
    }

    private void readResults() {
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> record : results.poll(Duration.ofMillis(500))) {
                    if (record.value() == null || record.key() == null || !waitingBots.containsKey(record.key())) {
                        continue;
                    }
                    try {
                        IssueResult result = EventJson.read(new String(record.value(), StandardCharsets.UTF_8), IssueResult.class);
                        CompletableFuture<IssueResult> waiting = pending.get(result.requestId());
                        if (waiting != null) {
                            waiting.complete(result);
                        }
                    } catch (MalformedEventException e) {
                        LOG.debugf("skipping an unreadable issue result: %s", e.getMessage());
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }
        results.close();
    }

    @Override
    public void close() {
        running = false;
        results.wakeup();
        producer.close(Duration.ofSeconds(5));
    }
}
