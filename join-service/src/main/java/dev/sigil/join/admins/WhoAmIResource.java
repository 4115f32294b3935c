package dev.sigil.join.admins;

import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.join.api.Responses;

/** {@code GET /v1/admin/whoami}: the admin a certificate or console session speaks as, with its roles. */
@Path("/v1/admin/whoami")
@Produces(MediaType.APPLICATION_JSON)
public class WhoAmIResource {
    @Inject
    CurrentAdmin current;

    /** Who the console (or certificate) speaks as, and until when. */
    public record WhoAmI(String admin, List<String> roles, String via, Instant expires) {
    }

    @GET
    public Response whoAmI() {
        Admin admin = current.get().orElseThrow();
        return Responses.json(200, new WhoAmI(admin.name(), admin.spec().roles(), admin.via(), admin.expires()));
    }
}
