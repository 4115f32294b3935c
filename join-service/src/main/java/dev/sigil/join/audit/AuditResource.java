package dev.sigil.join.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;

/**
 * The audit trail for admins: {@code GET /v1/admin/audit?limit=N} answers the last N lines of {@code sigil.audit},
 * newest last; with {@code ?follow=true} the same lines and then every new one as server-sent events (one JSON
 * object per {@code data:} field), so neither the CLI nor the console needs Kafka access.
 */
@Path("/v1/admin/audit")
public class AuditResource {
    static final int DEFAULT_LIMIT = 100;
    /** Each follower is a live HTTP stream: enough for every admin, too few to exhaust the replica. */
    static final int MAX_FOLLOWERS = 64;
    static final Duration KEEPALIVE = Duration.ofSeconds(15);

    @Inject
    AuditTrail trail;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> recent(@QueryParam("limit") Integer limit, @QueryParam("follow") String follow) {
        if (follow != null && !follow.equals("false")) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "follow must be true or false");
        }
        List<JsonNode> items = new ArrayList<>();
        for (String line : trail.recent(checked(limit))) {
            try {
                items.add(EventJson.MAPPER.readTree(line));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the trail keeps only JSON objects", e);
            }
        }
        return Map.of("items", items);
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> follow(@QueryParam("limit") Integer limit, @Context Sse sse) {
        int n = limit == null ? DEFAULT_LIMIT : checked(limit);
        if (trail.followers() >= MAX_FOLLOWERS) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "this join-service replica already streams the audit "
                    + "trail to " + MAX_FOLLOWERS + " followers; try again later or ask another replica");
        }
        Multi<OutboundSseEvent> lines = Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            Runnable stop = trail.follow(n, line -> emitter.emit(sse.newEventBuilder().data(line).build()));
            emitter.onTermination(stop);
        }, BackPressureStrategy.BUFFER);
        // A comment now and then: proxies keep the stream open, and a closed one is noticed when writing fails.
        Multi<OutboundSseEvent> keepalive = Multi.createFrom().ticks().every(KEEPALIVE)
                .map(tick -> sse.newEventBuilder().comment("keepalive").build());
        return Multi.createBy().merging().streams(lines, keepalive);
    }

    private static int checked(Integer limit) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 0 || n > AuditTrail.KEPT) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "limit must be between 0 and " + AuditTrail.KEPT);
        }
        return n;
    }
}
