package dev.sigil.output.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaBundles;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;

/**
 * output-writer's view of {@code sigil.ca}, read from the beginning and followed: the bundles issue results name by
 * version, for the CA files of every output. No record stops it; an unusable one is logged and skipped.
 */
final class CaBundleFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CaBundleFollower.class);

    private final CaBundles bundles = new CaBundles();
    private final Consumer<String, String> consumer;
    private volatile boolean running = true;

    CaBundleFollower(String bootstrapServers) {
        Properties c = new Properties();
        c.putAll(dev.sigil.contract.BusIdentityConfig.client(bootstrapServers));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.CA).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Thread thread = new Thread(this::follow, "ca-bundle-follower");
        thread.setDaemon(true);
        thread.start();
    }

    CaBundles bundles() {
        return bundles;
    }

    private void follow() {
        try {
            while (running) {
                try {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        apply(record.key(), record.value());
                    }
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    LOG.errorf(e, "reading %s failed; reading on", Topics.CA);
                    Thread.sleep(1000);
                }
            }
        } catch (WakeupException | InterruptException | InterruptedException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void apply(String key, String value) {
        if (!CaBundle.KEY.equals(key) || value == null) {
            return;
        }
        try {
            bundles.add(EventJson.read(value, CaBundle.class));
        } catch (RuntimeException e) { // only issuer-service writes sigil.ca; a bad record keeps the bundles we had
            LOG.errorf("ignoring an unusable CA bundle on sigil.ca: %s", DeadLetters.printable(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
