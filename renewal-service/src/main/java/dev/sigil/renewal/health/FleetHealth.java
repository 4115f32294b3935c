package dev.sigil.renewal.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.sigil.renewal.schedule.RenewalTopology;
import dev.sigil.renewal.schedule.Timers;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Fleet health: how many identities this instance tracks are fresh, due, overdue or expired, in all and per bot.
 * Counted from the renewal timers alone (each says which point of its identity's life comes next), so a scan of a
 * million identities reads no identity record. Exposed as {@code sigil_fleet_identities{state}} and, for bots with
 * anything not fresh, {@code sigil_fleet_bot_identities{bot,state}} (bounded: healthy bots add no series), and per
 * bot on {@code sigil.fleet} ({@link FleetPublisher}).
 */
@ApplicationScoped
public class FleetHealth {
    private static final Logger LOG = Logger.getLogger(FleetHealth.class);
    public static final List<String> STATES = List.of("fresh", "due", "overdue", "expired");

    /** At most this many bots get series of their own and appear in the view: the worst ones. */
    static final int WORST_BOTS = 100;

    /** Counts as of one scan; per bot, the counts in {@link #STATES} order. */
    public record Snapshot(Instant scannedAt, Map<String, Long> identities, Map<String, long[]> bots) {
        /** One bot's counts by state. */
        public Map<String, Long> of(String bot) {
            return named(bots.getOrDefault(bot, new long[STATES.size()]));
        }

        /**
         * The bots with most identities overdue or expired (at most {@link #WORST_BOTS}): the ones to look at. Due
         * alone is not here: a fleet-wide renewal makes every bot due at once, and that is healthy.
         */
        public Map<String, Map<String, Long>> needingAttention() {
            Map<String, Map<String, Long>> worst = new LinkedHashMap<>();
            bots.entrySet().stream().filter(e -> troubled(e.getValue()) > 0)
                    .sorted((a, b) -> Long.compare(troubled(b.getValue()), troubled(a.getValue()))).limit(WORST_BOTS)
                    .forEach(e -> worst.put(e.getKey(), named(e.getValue())));
            return worst;
        }

        private static long troubled(long[] counts) {
            return counts[2] + counts[3];
        }

        private static Map<String, Long> named(long[] counts) {
            Map<String, Long> named = new LinkedHashMap<>();
            for (int i = 0; i < STATES.size(); i++) {
                named.put(STATES.get(i), counts[i]);
            }
            return named;
        }
    }

    @Inject
    KafkaStreams streams;
    @Inject
    MeterRegistry registry;
    @Inject
    FleetPublisher publisher;
    @ConfigProperty(name = "sigil.fleet.scan-interval", defaultValue = "10s")
    Duration scanInterval;

    private volatile Snapshot snapshot = new Snapshot(null, zeros(), Map.of());
    private ScheduledExecutorService scanner;
    private MultiGauge perBot;

    void start(@Observes StartupEvent event) {
        for (String state : STATES) {
            registry.gauge("sigil.fleet.identities", Tags.of("state", state), this, f -> f.snapshot.identities().get(state));
        }
        perBot = MultiGauge.builder("sigil.fleet.bot.identities").description("identities per bot and state, for the bots "
                + "with most identities overdue or expired").register(registry);
        scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-health");
            t.setDaemon(true);
            return t;
        });
        scanner.scheduleWithFixedDelay(this::periodicScan, scanInterval.toMillis(), scanInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A scan that throws would cancel every later one (a scheduled task's rule): log it, count it, scan again next time. */
    private void periodicScan() {
        try {
            scan();
        } catch (RuntimeException e) {
            LOG.errorf(e, "fleet health scan failed; the counts stay as of %s", snapshot.scannedAt());
            registry.counter("sigil.records.failed", "stage", "fleet-scan", "exception", e.getClass().getSimpleName()).increment();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Counts every timer of the tasks this instance runs; skipped while the stores move in a rebalance. */
    public Snapshot scan() {
        Map<String, Long> totals = zeros();
        Map<String, long[]> bots = new HashMap<>();
        try (var all = streams.store(StoreQueryParameters.fromNameAndType(RenewalTopology.TIMERS,
                QueryableStoreTypes.<String, String>keyValueStore())).all()) {
            all.forEachRemaining(kv -> {
                Timers.Timer timer = Timers.Timer.parse(kv.value);
                String state = timer.state();
                totals.merge(state, 1L, Long::sum);
                if (timer.bot() != null) {
                    bots.computeIfAbsent(timer.bot(), b -> new long[STATES.size()])[STATES.indexOf(state)]++;
                }
            });
        } catch (InvalidStateStoreException e) {
            LOG.debugf("fleet health not counted now: %s", e.getMessage());
            return snapshot;
        }
        snapshot = new Snapshot(Instant.now(), totals, bots);
        List<MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        snapshot.needingAttention().forEach((bot, counts) -> counts.forEach((state, n) ->
                rows.add(MultiGauge.Row.of(Tags.of("bot", bot, "state", state), n))));
        perBot.register(rows, true);
        publisher.publish(snapshot);
        return snapshot;
    }

    private static Map<String, Long> zeros() {
        Map<String, Long> counts = new LinkedHashMap<>();
        STATES.forEach(s -> counts.put(s, 0L));
        return counts;
    }
}
