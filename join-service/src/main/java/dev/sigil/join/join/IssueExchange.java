package dev.sigil.join.join;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.Startup;

/**
 * Request-reply with issuer-service over Kafka: puts an issue request on {@code sigil.issue.requests} and completes
 * when the result carrying its correlation id is committed on {@code sigil.issue.results}.
 *
 * <p>The waiter is registered <em>before</em> the request is sent, so an answer faster than the broker's
 * acknowledgement of the request is never dropped (it was, with SmallRye's request-reply, which registers on the
 * acknowledgement: under load most answers were lost and every join waited for its retry). One thread reads every
 * partition of the results topic (assigned, no group: each replica reads all answers and keeps those it waits for),
 * read_committed, so an answer counts only once the issuer's transaction holding it has committed; it looks only at
 * the correlation header, never parses an answer nobody here waits for.
 */
@Startup
@ApplicationScoped
public class IssueExchange implements IssueClient.Exchange {
    private static final Logger LOG = Logger.getLogger(IssueExchange.class);

    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> results;
    private final Map<String, CompletableFuture<String>> waiting = new ConcurrentHashMap<>();
    private final Thread reader;
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "issue-requests");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean running = true;

    @Inject
    public IssueExchange(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        Map<String, Object> producerSettings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
        producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
        producerSettings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A join waits on this record: sent at once; under load the sender's batches fill up by themselves.
        producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producerSettings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producerSettings.put(ProducerConfig.CLIENT_ID_CONFIG, "sigil-join-issue-requests");
        // A request the broker cannot take within the reply timeout fails instead of queueing behind it.
        producerSettings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        this.producer = new KafkaProducer<>(producerSettings, new StringSerializer(), new StringSerializer());

        Map<String, Object> consumerSettings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
        consumerSettings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerSettings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerSettings.put(ConsumerConfig.CLIENT_ID_CONFIG, "sigil-join-issue-results");
        this.results = new KafkaConsumer<>(consumerSettings, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = results.partitionsFor(Topics.ISSUE_RESULTS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        results.assign(partitions);
        results.seekToEnd(partitions);
        // Fix the starting offsets now, before any request is sent, so no answer to one of ours falls before them.
        partitions.forEach(p -> results.position(p, Duration.ofSeconds(30)));
        this.reader = new Thread(this::read, "issue-results");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public CompletableFuture<String> send(String correlationId, String bot, String value, Headers headers) {
        CompletableFuture<String> answer = waiting.computeIfAbsent(correlationId, id -> new CompletableFuture<>());
        // Off the caller's event loop: send() blocks while the broker is unreachable (up to max.block.ms).
        sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(Topics.ISSUE_REQUESTS, null, bot, value, headers), (metadata, failure) -> {
                    if (failure != null) {
                        fail(correlationId, answer, failure);
                    }
                });
            } catch (RuntimeException e) {
                fail(correlationId, answer, e);
            }
        });
        return answer;
    }

    private void fail(String correlationId, CompletableFuture<String> answer, Throwable failure) {
        waiting.remove(correlationId, answer);
        answer.completeExceptionally(failure);
    }

    @Override
    public void forget(String correlationId, CompletableFuture<String> answer) {
        waiting.remove(correlationId, answer);
    }

    private void read() {
        while (running) {
            try {
                for (ConsumerRecord<String, String> record : results.poll(Duration.ofSeconds(1))) {
                    Header id = record.headers().lastHeader(ReplyHeaders.CORRELATION_ID);
                    CompletableFuture<String> answer = id == null ? null
                            : waiting.remove(new String(id.value(), java.nio.charset.StandardCharsets.UTF_8));
                    if (answer != null) {
                        answer.complete(record.value());
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                // Waiters time out and ask again; the reader must outlive any one bad poll, without spinning.
                LOG.errorf(e, "reading %s failed; reading on in 1 s", Topics.ISSUE_RESULTS);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @PreDestroy
    void close() {
        running = false;
        results.wakeup();
        try {
            reader.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        results.close();
        sender.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
