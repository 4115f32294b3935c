package dev.sigil.renewal.health;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * A read-only view of fleet health on this instance: totals per state and the bots needing attention, or one bot's
 * counts with {@code ?bot=}. {@code ?fresh=true} counts now instead of showing the last periodic scan.
 */
@Path("/v1/fleet")
public class FleetResource {
    @Inject
    FleetHealth health;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> fleet(@QueryParam("bot") String bot, @QueryParam("fresh") boolean fresh) {
        FleetHealth.Snapshot snapshot = fresh ? health.scan() : health.snapshot();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("scannedAt", snapshot.scannedAt());
        if (bot != null) {
            view.put("bot", bot);
            view.put("identities", snapshot.of(bot));
        } else {
            view.put("identities", snapshot.identities());
            view.put("botsNeedingAttention", snapshot.needingAttention());
        }
        return view;
    }
}
