package dev.sigil.join.admins;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.join.admin.SpecNames;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/**
 * The admins table through the admin API (ca-admin for writes, see {@link AdminRules}): list, get, create or replace,
 * delete. An admin is a bot; its name is the bot's. The last ca-admin cannot be removed or demoted, so someone can
 * always manage admins, roles and the CA.
 */
@Path("/v1/admin/admins")
@Produces(MediaType.APPLICATION_JSON)
public class AdminsResource {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    @Inject
    AdminTable table;
    @Inject
    AdminRecords records;

    /** A page of admins, by name; {@code next} is the {@code after} of the next page, or null. */
    public record Page(List<AdminSpec> items, String next) {
    }

    @GET
    public Response list(@QueryParam("limit") Integer limit, @QueryParam("after") String after) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        List<AdminSpec> all = table.all().stream().filter(a -> after == null || a.name().compareTo(after) > 0).toList();
        List<AdminSpec> page = all.subList(0, Math.min(size, all.size()));
        return Responses.json(200, new Page(page, all.size() > size ? page.get(page.size() - 1).name() : null));
    }

    @GET
    @Path("/{name}")
    public Response get(@PathParam("name") String name) {
        return Responses.json(200, table.admin(name).orElseThrow(() -> notFound(name)));
    }

    @POST
    public CompletionStage<Response> put(String body) {
        AdminSpec requested = Responses.read(body, AdminSpec.class);
        String name = SpecNames.require(Names.RESOURCE, requested.name(), "name");
        if (requested.roles().isEmpty() || !AdminSpec.ROLES.containsAll(requested.roles())) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "roles must name at least one of " + AdminSpec.ROLES
                    + "; got " + requested.roles().stream().map(Names::printable).toList());
        }
        AdminSpec admin = new AdminSpec(name, List.copyOf(new LinkedHashSet<>(requested.roles())));
        if (!admin.has(AdminSpec.CA_ADMIN)) {
            keepACaAdmin(name);
        }
        return records.put(admin).thenApply(done -> {
            table.remember(admin);
            return Responses.json(201, admin);
        });
    }

    @DELETE
    @Path("/{name}")
    public CompletionStage<Response> delete(@PathParam("name") String name) {
        AdminSpec admin = table.admin(name).orElseThrow(() -> notFound(name));
        keepACaAdmin(admin.name());
        return records.remove(name).thenApply(done -> {
            table.forget(name);
            return Responses.json(200, Map.of("deleted", admin));
        });
    }

    /** Refuses a change that would leave no ca-admin besides {@code changed}. */
    private void keepACaAdmin(String changed) {
        boolean wasCaAdmin = table.admin(changed).map(a -> a.has(AdminSpec.CA_ADMIN)).orElse(false);
        boolean anotherCaAdmin = table.all().stream().anyMatch(a -> !a.name().equals(changed) && a.has(AdminSpec.CA_ADMIN));
        if (wasCaAdmin && !anotherCaAdmin) {
            throw new RefusalException(409, Refusal.LAST_CA_ADMIN, "'" + changed + "' is the last ca-admin; make another "
                    + "admin ca-admin first, or nobody could manage admins, roles and the CA (short of `./sigil admin bootstrap`)");
        }
    }

    private static RefusalException notFound(String name) {
        return new RefusalException(404, Refusal.NOT_FOUND, "there is no admin '" + Names.printable(name)
                + "'; GET /v1/admin/admins lists them");
    }
}
