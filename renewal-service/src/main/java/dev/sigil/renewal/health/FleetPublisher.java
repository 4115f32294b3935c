package dev.sigil.renewal.health;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.contract.BotFleetHealth;
import dev.sigil.contract.BusIdentityConfig;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Puts each bot's fleet health on {@code sigil.fleet} (compacted, keyed by bot), so join-service can show it without
 * calling this service. A bot's timers all live on one partition (results are keyed by bot), so the instance whose
 * task owns that partition counts the bot whole and is its only publisher. Only changes are sent; a bot that has no
 * timer left here gets a tombstone. Every {@value #REPUBLISH_EVERY}th scan sends everything again: a bot whose
 * partition moved in a rebalance may be tombstoned by its old owner just after the new owner published it.
 */
@ApplicationScoped
public class FleetPublisher {
    private static final Logger LOG = Logger.getLogger(FleetPublisher.class);
    static final int REPUBLISH_EVERY = 6;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private KafkaProducer<String, String> producer;
    private final Map<String, long[]> published = new HashMap<>();
    private int scans;

    /** Called after each complete scan, from one thread at a time. */
    synchronized void publish(FleetHealth.Snapshot snapshot) {
        if (producer == null) {
            Map<String, Object> settings = new HashMap<>(BusIdentityConfig.client(bootstrapServers));
            settings.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer());
        }
        boolean everything = scans++ % REPUBLISH_EVERY == 0;
        Instant at = snapshot.scannedAt();
        for (Map.Entry<String, long[]> bot : snapshot.bots().entrySet()) {
            long[] counts = bot.getValue();
            if (everything || !Arrays.equals(published.get(bot.getKey()), counts)) {
                send(bot.getKey(), EventJson.write(new BotFleetHealth(bot.getKey(), counts[0], counts[1], counts[2], counts[3], at)));
                published.put(bot.getKey(), counts.clone());
            }
        }
        Set<String> gone = new HashSet<>(published.keySet());
        gone.removeAll(snapshot.bots().keySet());
        for (String bot : gone) {
            send(bot, null);
            published.remove(bot);
        }
        producer.flush();
    }

    private void send(String bot, String value) {
        producer.send(new ProducerRecord<>(Topics.FLEET, bot, value), (metadata, e) -> {
            if (e != null) {
                // The next scan that sends everything repairs it; the view is only ever a scan or so behind.
                LOG.warnf("could not publish fleet health of %s: %s", bot, e.toString());
                synchronized (this) {
                    published.remove(bot);
                }
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (producer != null) {
            producer.close();
        }
    }
}
