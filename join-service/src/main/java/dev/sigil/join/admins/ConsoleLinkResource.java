package dev.sigil.join.admins;

import java.net.URI;
import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/**
 * {@code POST /v1/admin/console-sessions}: an admin holding its certificate asks for a one-time console link; the
 * console page posts the link's secret to {@code POST /console/session} ({@link ConsoleSessionResource}) for a session
 * cookie, which {@link AdminAccess} accepts as that admin.
 */
@Path("/v1/admin/console-sessions")
@Produces(MediaType.APPLICATION_JSON)
public class ConsoleLinkResource {
    @Inject
    ConsoleSessions sessions;
    @Inject
    CurrentAdmin current;

    /** The link to open in a browser; {@code expires} is when it stops working if unused. */
    public record ConsoleLink(String url, Instant expires) {
    }

    @POST
    public Response newConsoleLink(@Context UriInfo uri) {
        Admin admin = current.get().orElseThrow();
        if (!Admin.CERTIFICATE.equals(admin.via())) {
            throw new RefusalException(401, Refusal.ADMIN_UNAUTHENTICATED,
                    "a console link is made with an admin certificate, not from a console session: run `sigil console`");
        }
        String secret = sessions.newLink(admin);
        URI base = uri.getBaseUri();
        String url = "https://" + base.getRawAuthority() + "/console/#link=" + secret;
        return Responses.json(201, new ConsoleLink(url, Instant.now().plus(ConsoleSessions.LINK_LIFE)));
    }
}
