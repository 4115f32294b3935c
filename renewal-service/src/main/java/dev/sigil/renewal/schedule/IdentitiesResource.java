package dev.sigil.renewal.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import dev.sigil.contract.EventJson;

/** A read-only view of the identities this instance tracks, with their renewal point and state. */
@Path("/v1/identities")
public class IdentitiesResource {
    @Inject
    KafkaStreams streams;
    @Inject
    RenewalSchedule schedule;

    /** One tracked identity as the view shows it. */
    public record IdentityView(TrackedIdentity identity, String state) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String list(@QueryParam("bot") String bot) {
        ReadOnlyKeyValueStore<String, String> store = streams.store(StoreQueryParameters
                .fromNameAndType(RenewalTopology.IDENTITIES, QueryableStoreTypes.<String, String>keyValueStore()));
        Instant now = Instant.now();
        List<IdentityView> views = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(kv -> {
                TrackedIdentity id = EventJson.read(kv.value, TrackedIdentity.class);
                if (bot == null || bot.equals(id.bot())) {
                    views.add(new IdentityView(id, id.state(now, schedule.overdueAfter())));
                }
            });
        }
        return EventJson.write(views);
    }
}
