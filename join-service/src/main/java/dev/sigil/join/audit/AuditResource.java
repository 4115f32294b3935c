package dev.sigil.join.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
import dev.sigil.join.admins.Admin;
import dev.sigil.join.admins.AdminStanding;
import dev.sigil.join.admins.CurrentAdmin;
import dev.sigil.join.api.RefusalException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;

/**
 * The audit trail for admins: {@code GET /v1/admin/audit?limit=N} answers the last N lines of {@code sigil.audit},
 * newest last; with {@code ?follow=true} the same lines and then every new one as server-sent events (one JSON
 * object per {@code data:} field), so neither the CLI nor the console needs Kafka access.
 */
@Path("/v1/admin/audit")
public class AuditResource {
    static final int DEFAULT_LIMIT = 100;
    /** Lines held for a follower that reads slower than they come; past that its stream ends. */
    static final int BUFFERED = 2 * AuditTrail.KEPT;
    static final Duration KEEPALIVE = Duration.ofSeconds(15);

    @Inject
    AuditTrail trail;
    @Inject
    FollowerSlots slots;
    @Inject
    CurrentAdmin current;
    @Inject
    AdminStanding standing;

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
        int n = checked(limit);
        Admin admin = current.get().orElseThrow();
        Runnable giveBack = slots.take(admin.name());
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            // The admin was checked when the stream began; it is checked again before each line and at each keepalive,
            // and the stream ends when the admin is removed or locked, or its certificate or console session ends.
            Runnable end = () -> standing.lapsed(admin, Instant.now()).ifPresent(why -> {
                emitter.emit(sse.newEventBuilder().comment("the stream ends: " + why).build());
                emitter.complete();
            });
            Runnable stop = trail.follow(n, line -> {
                end.run();
                if (!emitter.isCancelled()) {
                    emitter.emit(sse.newEventBuilder().data(line).build());
                }
            });
            ScheduledExecutorService pool = Infrastructure.getDefaultWorkerPool();
            // A comment now and then: proxies keep the stream open, and a closed one is noticed when writing fails.
            ScheduledFuture<?> keepalive = pool.scheduleAtFixedRate(() -> {
                end.run();
                if (!emitter.isCancelled()) {
                    emitter.emit(sse.newEventBuilder().comment("keepalive").build());
                }
            }, KEEPALIVE.toMillis(), KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
            ScheduledFuture<?> expiry = pool.schedule(end,
                    Math.max(0, Duration.between(Instant.now(), admin.expires()).toMillis()), TimeUnit.MILLISECONDS);
            emitter.onTermination(() -> {
                stop.run();
                keepalive.cancel(false);
                expiry.cancel(false);
                giveBack.run();
            });
        }, BackPressureStrategy.ERROR)
                // A reader that falls this far behind is dropped rather than held in memory.
                .onOverflow().buffer(BUFFERED)
                .onTermination().invoke(giveBack);
    }

    private static int checked(Integer limit) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 0 || n > AuditTrail.KEPT) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "limit must be between 0 and " + AuditTrail.KEPT);
        }
        return n;
    }
}
