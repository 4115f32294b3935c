package dev.sigil.output.agent;

import java.time.Duration;
import java.util.Properties;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.RenewalDue;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * For an agent that can reach Kafka: follows {@code sigil.renewal.due} from now on and calls back when the agent's
 * own bot instance is due, e.g. after a Kafka-triggered renewal or a CA rotation.
 */
final class RenewalDueListener implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    private RenewalDueListener(String bootstrap, java.util.Optional<java.nio.file.Path> identity, Supplier<String> instanceId,
            Runnable onDue) {
        Properties p = new Properties();
        p.putAll(dev.sigil.contract.BusIdentity.client(bootstrap, identity));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        TopicReader.followFromNow(consumer, Topics.RENEWAL_DUE);
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        try {
                            RenewalDue due = EventJson.read(record.value(), RenewalDue.class);
                            if (due.instanceId() != null && due.instanceId().equals(instanceId.get())) {
                                onDue.run();
                            }
                        } catch (RuntimeException e) {
                            // Not ours to judge, and no reason to stop listening: renewal-service owns what it writes.
                            System.err.println("sigil-agent: skipping an unreadable renewal-due: "
                                    + dev.sigil.contract.Names.printable(String.valueOf(e.getMessage())));
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }, "renewal-due");
        thread.setDaemon(true);
        thread.start();
    }

    static RenewalDueListener start(String bootstrap, java.util.Optional<java.nio.file.Path> identity, Supplier<String> instanceId,
            Runnable onDue) {
        return new RenewalDueListener(bootstrap, identity, instanceId, onDue);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
