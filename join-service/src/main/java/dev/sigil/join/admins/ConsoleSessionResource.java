package dev.sigil.join.admins;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.contract.AuditEvent;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/**
 * {@code POST /console/session}: the console page exchanges a one-time link's secret (from the URL fragment, which the
 * browser never sends to a server) for the session cookie {@code sigil-console}; {@code DELETE} ends the session.
 */
@Path("/console/session")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleSessionResource {
    @Inject
    ConsoleSessions sessions;
    @Inject
    AdminAccess access;
    @Inject
    AdminRecords records;

    /** What the console page posts: the link's secret, from the URL fragment (never sent to a server by the browser). */
    public record SessionRequest(String link) {
    }

    @POST
    public Response openSession(String body) {
        SessionRequest request = Responses.read(body, SessionRequest.class);
        ConsoleSessions.Opened opened = sessions.exchange(request.link()).orElseThrow(() -> new RefusalException(401,
                Refusal.CONSOLE_LINK_INVALID, "the console link was used already or expired (a link works once, for "
                        + ConsoleSessions.LINK_LIFE.toSeconds() + " s); run `sigil console` for a new one"));
        ConsoleSessions.Session session = opened.session();
        // The admin must still be one, and not locked, when the session opens (and at each request after).
        Admin admin;
        try {
            admin = access.admitted(session.admin(), session.instanceId(), session.joinToken(), Admin.CONSOLE, session.expires());
        } catch (RefusalException e) {
            audit(session.admin(), List.of(), session.instanceId(), e.refusal().code(), "console sign-in -> " + e.status());
            throw e;
        }
        audit(admin.name(), admin.spec().roles(), admin.instanceId(), null, "console sign-in -> 200, session until "
                + session.expires());
        long maxAge = Math.max(1, Duration.between(Instant.now(), session.expires()).toSeconds());
        return Response.ok(Responses.json(200, new WhoAmIResource.WhoAmI(admin.name(), admin.spec().roles(), admin.via(), session.expires())).getEntity())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("Set-Cookie", cookie(opened.secret(), maxAge))
                .header("Cache-Control", "no-store")
                .build();
    }

    /** A console sign-in is an admin's act like a write: it is audited before the cookie is handed over. */
    private void audit(String admin, List<String> roles, String instanceId, String code, String message) {
        AuditEvent event = new AuditEvent(Instant.now(), AuditEvent.ADMIN_WRITE, admin, instanceId, null, roles, null, null,
                null, code, "POST /console/session (" + message + ") via console", null, admin);
        try {
            records.audit(event).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "could not write the sign-in's audit line; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusalException(503, Refusal.UNAVAILABLE, "interrupted; retry");
        }
    }

    @DELETE
    public Response endSession(@CookieParam(AdminAccess.CONSOLE_COOKIE) String secret) {
        sessions.end(secret);
        return Response.ok(Responses.json(200, Map.of("ended", true)).getEntity()).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Set-Cookie", cookie("", 0)).build();
    }

    static String cookie(String value, long maxAgeSeconds) {
        return AdminAccess.CONSOLE_COOKIE + "=" + value + "; Max-Age=" + maxAgeSeconds + "; Path=/; Secure; HttpOnly; SameSite=Strict";
    }
}
