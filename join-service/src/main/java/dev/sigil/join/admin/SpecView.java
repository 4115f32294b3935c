package dev.sigil.join.admin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;

/**
 * This replica's view of one desired-state topic (bots, roles, join tokens, locks, leaf clusters, deliveries), keyed
 * and sorted by the record key, which is the resource's name: pages are slices of the sorted keys.
 */
public final class SpecView<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpecView.class);
    /** How long a read or a version check waits for this view to reach the topic's end before answering 503. */
    static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(5);

    private final ConcurrentSkipListMap<String, T> specs = new ConcurrentSkipListMap<>();
    private final CatchingUpFollower follower;

    SpecView(String bootstrapServers, String topic, Class<T> type) {
        this.follower = new CatchingUpFollower(bootstrapServers, topic, (name, json) -> {
            if (name == null) {
                return;
            }
            if (json == null) {
                specs.remove(name);
                return;
            }
            try {
                specs.put(name, EventJson.read(json, type));
            } catch (MalformedEventException e) {
                // The readers of the topic (the issuer) treat it as absent too.
                specs.remove(name);
                LOG.warnf("ignoring an unreadable record on %s: %s", topic, Names.printable(e.getMessage()));
            }
        });
    }

    /** Everything acknowledged on the topic before this call is in the view when it returns (or 503). */
    public void catchUp() {
        follower.catchUp(CATCH_UP_LIMIT);
    }

    public Optional<T> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(specs.get(name));
    }

    /** Up to {@code limit} resources that pass {@code filter}, named after {@code after} (null: from the start). */
    public Page<T> page(String after, int limit, Predicate<T> filter) {
        Map<String, T> tail = after == null ? specs : specs.tailMap(after, false);
        List<T> items = new ArrayList<>(Math.min(limit, 1000));
        String last = null;
        for (Map.Entry<String, T> entry : tail.entrySet()) {
            if (!filter.test(entry.getValue())) {
                continue;
            }
            if (items.size() == limit) {
                return new Page<>(items, last);
            }
            items.add(entry.getValue());
            last = entry.getKey();
        }
        return new Page<>(items, null);
    }

    /** Every resource that passes {@code filter}, for the few places that act on all of them (a bot's tokens). */
    public List<T> all(Predicate<T> filter) {
        return specs.values().stream().filter(filter).toList();
    }

    /**
     * One page of a list: {@code next} is the cursor for the following page ({@code after=}), null (written, not left
     * out) on the last.
     */
    public record Page<T>(List<T> items, @JsonInclude(JsonInclude.Include.ALWAYS) String next) {
    }

    @Override
    public void close() {
        follower.close();
    }
}
