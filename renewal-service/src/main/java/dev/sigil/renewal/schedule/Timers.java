package dev.sigil.renewal.schedule;

import org.apache.kafka.streams.state.KeyValueStore;

import dev.sigil.contract.EventJson;

/** The identities one task tracks and their timers, kept in step: each identity has exactly one timer. */
final class Timers {
    private final KeyValueStore<String, String> identities;
    private final KeyValueStore<String, String> timers;

    Timers(KeyValueStore<String, String> identities, KeyValueStore<String, String> timers) {
        this.identities = identities;
        this.timers = timers;
    }

    /** Keeps an identity and its one timer; a timer set earlier for it is replaced. */
    void track(TrackedIdentity tracked) {
        String previous = identities.get(tracked.instanceId());
        if (previous != null) {
            TrackedIdentity old = EventJson.read(previous, TrackedIdentity.class);
            timers.delete(TrackingProcessor.timerKey(old.renewAt().toEpochMilli(), old.instanceId()));
        }
        identities.put(tracked.instanceId(), EventJson.write(tracked));
        timers.put(TrackingProcessor.timerKey(tracked.renewAt().toEpochMilli(), tracked.instanceId()), tracked.instanceId());
    }
}
