package dev.sigil.join.audit;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sigil.contract.Refusal;

/** {@code ?follow=true} alone asks for the stream, whatever Accept the client sends (curl accepts any type). */
public class FollowMeansEventStream {
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> streamWhenFollowing(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().equals("/v1/admin/audit")) {
            String follow = request.getUriInfo().getQueryParameters().getFirst("follow");
            if ("true".equals(follow)) {
                request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.SERVER_SENT_EVENTS);
            } else if (follow == null || "false".equals(follow)) {
                request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
            } else {
                return Optional.of(Response.status(400).type(MediaType.APPLICATION_JSON)
                        .entity(new Refusal(Refusal.MALFORMED_REQUEST, "follow must be true or false")).build());
            }
        }
        return Optional.empty();
    }
}
