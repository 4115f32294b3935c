package dev.sigil.join.audit;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code ?follow=true} alone asks for the stream, whatever Accept the client sends (curl accepts any type); anything
 * else gets the JSON answer, which refuses a follow that is neither true nor false after authentication, like every
 * admin request.
 */
public class FollowMeansEventStream {
    @ServerRequestFilter(preMatching = true)
    public void streamWhenFollowing(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().equals("/v1/admin/audit")) {
            boolean follow = "true".equals(request.getUriInfo().getQueryParameters().getFirst("follow"));
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, follow ? MediaType.SERVER_SENT_EVENTS : MediaType.APPLICATION_JSON);
        }
    }
}
