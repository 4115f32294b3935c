package dev.sigil.renewal.schedule;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

import dev.sigil.contract.Topics;
import dev.sigil.renewal.failures.RecordFailures;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * renewal-service's stream: {@code sigil.issue.results} in, {@code sigil.renewal.due} and {@code sigil.alerts} out. The {@code identities}
 * and {@code renewal-timers} stores are changelogged, so timers survive restarts.
 *
 * <p>No record can stop it. Every input is read as a String (which cannot fail to deserialize) and checked by its
 * processor before anything is stored: a result that cannot be read or tracked goes to {@code sigil.issue.results.dlq},
 * a renewal request (or a fan-out copy written directly) that is no good to {@code sigil.renewal.requests.dlq}, each
 * with header {@code dead-letter-reason} and counted in {@code sigil_records_dead_lettered_total{topic}}; a timer that
 * cannot fire is dropped and counted in {@code sigil_records_failed_total}. Dead letters and broadcasts carry the
 * wall-clock time, never a record's own. Streams' handlers, set in application.properties with the reasons, are the
 * backstop: deserialization and processing skip (log, count), production skips only what can never be sent, and a
 * dead stream thread is replaced.
 */
@ApplicationScoped
public class RenewalTopology {
    static final String IDENTITIES = "identities";
    static final String DEAD_LETTER_SINK = "dead-letters";
    public static final String TIMERS = "renewal-timers";
    static final String DUE_SINK = "renewal-due";
    static final String ALERTS_SINK = "alerts";
    static final String REQUEST_DEAD_LETTER_SINK = "renewal-request-dead-letters";
    static final String BROADCAST_SINK = "broadcast";
    static final String FANOUT_DEAD_LETTER_SINK = "fanout-dead-letters";
    static final String HANDLED_REQUESTS = "handled-renewal-requests";
    static final String BOT_DELETED_SINK = "bot-deleted-broadcast";

    @Produces
    public Topology topology(RenewalSchedule schedule, MeterRegistry registry) {
        RecordFailures failures = new RecordFailures(registry);
        Topology topology = new Topology();
        topology.addSource("results", new StringDeserializer(), new StringDeserializer(), Topics.ISSUE_RESULTS);
        topology.addProcessor("track", () -> new TrackingProcessor(schedule, failures), "results");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(IDENTITIES),
                Serdes.String(), Serdes.String()), "track");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMERS),
                Serdes.String(), Serdes.String()), "track");

        // A renewal request may name identities on any partition: broadcast it, then each task applies its share.
        topology.addSource("requests", new StringDeserializer(), new StringDeserializer(), Topics.RENEWAL_REQUESTS);
        topology.addProcessor("check-request", () -> new RenewalRequestCheck(failures), "requests");
        topology.addSink(BROADCAST_SINK, Topics.RENEWAL_REQUESTS_FANOUT, new StringSerializer(), new StringSerializer(),
                (StreamPartitioner<String, String>) (topic, key, value, partitions) ->
                        Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet())), "check-request");
        topology.addSource("fanout", new StringDeserializer(), new StringDeserializer(), Topics.RENEWAL_REQUESTS_FANOUT);
        topology.addProcessor("renew-now", () -> new RenewalRequestProcessor(schedule, failures), "fanout");
        topology.addSink(REQUEST_DEAD_LETTER_SINK, Topics.deadLetter(Topics.RENEWAL_REQUESTS), new StringSerializer(),
                new StringSerializer(), "check-request");
        // A sink node of its own: one shared with check-request would merge the two sub-topologies, and the requests
        // topic would have to be partitioned like the results.
        topology.addSink(FANOUT_DEAD_LETTER_SINK, Topics.deadLetter(Topics.RENEWAL_REQUESTS), new StringSerializer(),
                new StringSerializer(), "renew-now");
        topology.connectProcessorAndStateStores("renew-now", IDENTITIES, TIMERS);
        // A bot's tombstone on sigil.bots becomes a bot-deleted request for every partition: its timers stop.
        topology.addSource("bots", new StringDeserializer(), new StringDeserializer(), Topics.BOTS);
        topology.addProcessor("bot-deleted", BotDeletions::new, "bots");
        topology.addSink(BOT_DELETED_SINK, Topics.RENEWAL_REQUESTS_FANOUT, new StringSerializer(), new StringSerializer(),
                (StreamPartitioner<String, String>) (topic, key, value, partitions) ->
                        Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet())), "bot-deleted");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HANDLED_REQUESTS),
                Serdes.String(), Serdes.String()), "renew-now");
        topology.addSink(DUE_SINK, Topics.RENEWAL_DUE, new StringSerializer(), new StringSerializer(), "track");
        topology.addSink(ALERTS_SINK, Topics.ALERTS, new StringSerializer(), new StringSerializer(), "track");
        topology.addSink(DEAD_LETTER_SINK, Topics.deadLetter(Topics.ISSUE_RESULTS), new StringSerializer(),
                new StringSerializer(), "track");
        return topology;
    }
}
