package dev.sigil.join.fleet;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.BotFleetHealth;
import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * This replica's view of {@code sigil.fleet}: each bot's fleet health as renewal-service last published it, read
 * whole from the beginning with assigned partitions (no consumer group) and followed. Sorted by bot, so a page after
 * a cursor is a tail map, not a sort of 10,000 bots per request.
 */
@ApplicationScoped
public class FleetView {
    private static final Logger LOG = Logger.getLogger(FleetView.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final ConcurrentSkipListMap<String, BotFleetHealth> bots = new ConcurrentSkipListMap<>();
    private volatile KafkaConsumer<String, String> consumer;
    private volatile boolean running = true;

    void start(@Observes StartupEvent event) {
        Thread reader = new Thread(this::follow, "fleet-view");
        reader.setDaemon(true);
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void follow() {
        while (running) {
            Map<String, Object> settings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
            settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(Topics.FLEET, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                bots.clear();
                while (running) {
                    c.poll(Duration.ofSeconds(1)).forEach(this::apply);
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("reading %s failed (%s); trying again in 5 s", Topics.FLEET, e.toString());
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            bots.remove(record.key());
            return;
        }
        try {
            BotFleetHealth health = EventJson.read(record.value(), BotFleetHealth.class);
            if (record.key().equals(health.bot())) {
                bots.put(record.key(), health);
            } else {
                bots.remove(record.key());
                LOG.warnf("ignoring a fleet record keyed %s for bot %s", Names.printable(record.key()), Names.printable(health.bot()));
            }
        } catch (MalformedEventException e) {
            // One unreadable record is treated as absent; the view goes on.
            bots.remove(record.key());
            LOG.warnf("ignoring an unreadable record on %s: %s", record.topic(), Names.printable(e.getMessage()));
        }
    }

    public BotFleetHealth of(String bot) {
        return bots.get(bot);
    }

    /** Up to {@code limit} bots after {@code after} (exclusive; null: from the first), in name order. */
    public List<BotFleetHealth> page(String after, int limit) {
        return (after == null ? bots : bots.tailMap(after, false)).values().stream().limit(limit).toList();
    }

    /** Sums over every bot, in the order fresh, due, overdue, expired. */
    public long[] totals() {
        long[] sum = new long[4];
        for (BotFleetHealth h : bots.values()) {
            sum[0] += h.fresh();
            sum[1] += h.due();
            sum[2] += h.overdue();
            sum[3] += h.expired();
        }
        return sum;
    }
}
