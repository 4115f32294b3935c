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
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.join.admin.AdminViews;
import dev.sigil.join.admin.BotInstanceView;
import dev.sigil.join.admin.DesiredStateWriter;
import dev.sigil.join.admin.SpecNames;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.join.JoinTokenView;

/**
 * The admins table through the admin API (ca-admin for writes, see {@link AdminRules}): list, get, create or replace,
 * delete. An admin is a bot; its name is the bot's. The last ca-admin cannot be removed or demoted, so someone can
 * always manage admins, roles and the CA.
 */
@Path("/v1/admin/admins")
@Produces(MediaType.APPLICATION_JSON)
@io.smallrye.common.annotation.Blocking // a new admin's earlier tokens and instances are cleared first, with waits
public class AdminsResource {
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    /** The reason on the lock of each instance a bot had before it was made an admin. */
    public static final String MADE_AN_ADMIN = "instance from before the bot was made an admin";

    @Inject
    AdminTable table;
    @Inject
    AdminRecords records;
    @Inject
    AdminViews views;
    @Inject
    BotInstanceView instances;
    @Inject
    DesiredStateWriter writer;
    @Inject
    JoinTokenView joinTokens;

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
        if (table.admin(name).isEmpty()) {
            // Before the entry (a failure leaves it new, so a retry cleans again) and after it (from then on the
            // admin-bot rule refuses a bot-admin's new token for the bot; one made in between is caught the second time).
            startClean(name);
            await(records.put(admin));
            table.remember(admin);
            startClean(name);
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

    /**
     * A bot becoming an admin keeps none of the join tokens or instances it had: a bot-admin may have made them
     * (for a bot that was no admin's, or did not exist yet), and they would log in as the new admin. Its tokens are
     * deleted and its instances locked, as deleting the bot does; the admin then logs in with a token made after this.
     */
    private void startClean(String bot) {
        for (String token : views.tokensOf(bot)) {
            await(writer.removeJoinToken(token));
            joinTokens.forget(token);
        }
        instances.catchUp();
        for (BotInstanceView.Instance instance : instances.of(bot)) {
            await(writer.put(new LockSpec(LockSpec.instance(instance.instanceId()), MADE_AN_ADMIN, null)));
        }
    }

    private static void await(CompletionStage<Void> write) {
        try {
            write.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "could not write the admin or clear its bot's earlier join "
                    + "tokens and instances; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusalException(503, Refusal.UNAVAILABLE, "interrupted; retry");
        }
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
