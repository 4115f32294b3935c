package dev.sigil.join.admins;

import java.time.Instant;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AuditEvent;
import dev.sigil.contract.EventJson;
import io.smallrye.mutiny.Uni;

/**
 * Every admin API request that writes, by an authenticated admin, leaves an audit line on {@code sigil.audit} naming
 * the admin, what it asked (method, path, the resource) and the answer's status (with the refusal code if refused).
 * The line is written before the answer is sent.
 */
public class AdminAudit {
    private static final Logger LOG = Logger.getLogger(AdminAudit.class);
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    CurrentAdmin current;
    @Inject
    AdminRecords records;

    @ServerResponseFilter
    public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/admin") || READS.contains(request.getMethod())) {
            return Uni.createFrom().voidItem();
        }
        if (current.get().isEmpty()) {
            return refusedBeforeAdmission(request, response, path);
        }
        Admin admin = current.get().get();
        String target = current.target();
        AuditEvent event = new AuditEvent(Instant.now(), AuditEvent.ADMIN_WRITE, null, admin.instanceId(), null,
                admin.spec().roles(), null, null, null, response.getStatus() >= 400 ? refusalCode(response.getEntity()) : null,
                request.getMethod() + " " + path + (target == null ? "" : " (" + target + ")") + " -> " + response.getStatus()
                        + " via " + admin.via(),
                null, admin.name());
        return Uni.createFrom().completionStage(records.audit(event)).onFailure().recoverWithItem(error -> {
            LOG.errorf("could not write the audit line of admin %s's request %s %s: %s", admin.name(), request.getMethod(),
                    path, error);
            return null;
        });
    }

    /**
     * A write refused before the bot was admitted (not an admin, locked, a console write without its header): audited
     * naming the bot its certificate or console session showed. Requests with no valid certificate name nobody and
     * are not audited, so anyone on the network cannot fill the audit topic.
     */
    private Uni<Void> refusedBeforeAdmission(ContainerRequestContext request, ContainerResponseContext response, String path) {
        String bot = current.attemptedBy();
        if (bot == null || response.getStatus() < 400) {
            return Uni.createFrom().voidItem();
        }
        AuditEvent event = new AuditEvent(Instant.now(), AuditEvent.ADMIN_WRITE, bot, null, null, java.util.List.of(), null, null,
                null, refusalCode(response.getEntity()), request.getMethod() + " " + path + " -> " + response.getStatus()
                        + " via " + current.attemptedVia() + ", refused before admission",
                null, bot);
        return write(event, request, path);
    }

    private Uni<Void> write(AuditEvent event, ContainerRequestContext request, String path) {
        return Uni.createFrom().completionStage(records.audit(event)).onFailure().recoverWithItem(error -> {
            LOG.errorf("could not write the audit line of %s's request %s %s: %s", event.admin(), request.getMethod(),
                    path, error);
            return null;
        });
    }

    private static String refusalCode(Object entity) {
        if (entity instanceof String text && text.startsWith("{")) {
            try {
                JsonNode code = EventJson.MAPPER.readTree(text).path("code");
                return code.isTextual() ? code.asText() : null;
            } catch (Exception e) {
                return null;
            }
        }
        return null;
    }
}
