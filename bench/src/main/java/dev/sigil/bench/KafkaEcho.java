package dev.sigil.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * Kafka alone, as a floor to measure the issuer against in the same run: a thread that reads each request and
 * writes an answer back — the request itself, or a real issue result — with no decision and no signing between.
 * Plain, it answers as soon as it reads (acks=all, no linger); exactly-once, it answers in transactions committed
 * every so often (20 ms as the issuer's stream threads do), read read_committed. It shares the broker and the two
 * cores with Sigil.
 */
final class KafkaEcho implements AutoCloseable {
    /** As the issuer's stream threads commit. */
    static final Duration ISSUER_COMMIT_INTERVAL = Duration.ofMillis(20);

    final String requests;
    final String answers;
    final boolean exactlyOnce;
    private final Duration commitInterval;
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final UnaryOperator<String> answer;
    private final Thread thread;
    private volatile boolean running = true;

    private KafkaEcho(Map<String, Object> bootstrapServers, Duration commitInterval, UnaryOperator<String> answer) {
        this.exactlyOnce = commitInterval != null;
        this.commitInterval = commitInterval;
        this.answer = answer;
        String name = exactlyOnce ? "bench.echo-eos-" + commitInterval.toMillis() + "ms" : "bench.echo";
        this.requests = name + ".requests";
        this.answers = name + ".answers";
        createLike(bootstrapServers, Topics.ISSUE_REQUESTS, List.of(requests, answers));
        Properties c = new Properties();
        c.putAll(bootstrapServers);
        c.put("group.id", name);
        c.put("enable.auto.commit", "false");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        TopicReader.followFromNow(consumer, requests);
        Properties p = new Properties();
        p.putAll(bootstrapServers);
        p.put("linger.ms", "0");
        p.put("compression.type", "lz4"); // as the issuer writes
        if (exactlyOnce) {
            p.put("transactional.id", name);
        }
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        thread = new Thread(this::echo, name);
        thread.start();
    }

    /** An echo that answers each request with the request itself, plainly. */
    static KafkaEcho plain(Map<String, Object> bootstrapServers) {
        return new KafkaEcho(bootstrapServers, null, UnaryOperator.identity());
    }

    /** An echo that answers each request with the request itself, in transactions committed this often. */
    static KafkaEcho exactlyOnce(Map<String, Object> bootstrapServers, Duration commitInterval) {
        return new KafkaEcho(bootstrapServers, commitInterval, UnaryOperator.identity());
    }

    /**
     * An echo that answers each request with a real issue result, its request id swapped for the request's: the
     * same bytes, and as compressible, as the issuer writes to {@code sigil.issue.results}.
     */
    static KafkaEcho answeringWith(Map<String, Object> bootstrapServers, String issueResult) throws IOException {
        String id = ResultIds.requestId(issueResult);
        String rest = issueResult.substring(issueResult.indexOf(id) + id.length());
        return new KafkaEcho(bootstrapServers, ISSUER_COMMIT_INTERVAL, request -> {
            try {
                return "{\"requestId\":\"" + ResultIds.requestId(request) + rest;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** How a driver reads the answers: committed only behind transactions. */
    String isolation() {
        return exactlyOnce ? "read_committed" : "read_uncommitted";
    }

    private void echo() {
        if (exactlyOnce) {
            producer.initTransactions();
            producer.beginTransaction();
        }
        long lastCommit = System.nanoTime();
        boolean uncommitted = false;
        while (running) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(5));
            for (ConsumerRecord<String, String> record : records) {
                producer.send(new ProducerRecord<>(answers, record.key(), answer.apply(record.value())));
            }
            uncommitted |= !records.isEmpty();
            if (exactlyOnce && uncommitted && System.nanoTime() - lastCommit >= commitInterval.toNanos()) {
                producer.sendOffsetsToTransaction(positions(), consumer.groupMetadata());
                producer.commitTransaction();
                producer.beginTransaction();
                lastCommit = System.nanoTime();
                uncommitted = false;
            }
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> positions() {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, new OffsetAndMetadata(consumer.position(partition)));
        }
        return positions;
    }

    /** The echo's topics get the partitions and replicas of the topic they stand in for. */
    private static void createLike(Map<String, Object> bootstrapServers, String model, List<String> topics) {
        try (Admin admin = Admin.create(bootstrapServers)) {
            if (admin.listTopics().names().get().containsAll(topics)) {
                return;
            }
            var partitions = admin.describeTopics(List.of(model)).allTopicNames().get().get(model).partitions();
            short replicas = (short) partitions.get(0).replicas().size();
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions.size(), replicas)).toList()).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create the echo topics: " + e.getCause(), e);
        }
    }

    @Override
    public String toString() {
        return exactlyOnce ? "Kafka echo, exactly-once " + commitInterval.toMillis() + " ms" : "Kafka echo";
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
        producer.close();
        consumer.close();
    }
}
