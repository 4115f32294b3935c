package dev.sigil.join.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.JoinMethods;

/**
 * The admin API's resources read back, updated and deleted: roles, bots, join tokens, locks, leaf clusters,
 * deliveries and bot instances. For each kind: {@code GET /v1/admin/<kind>?limit=&after=} (a page sorted by name,
 * {@code {"items": [...], "next": <cursor or null>}}), {@code GET /v1/admin/<kind>/<name>} (with its ETag),
 * {@code PUT /v1/admin/<kind>/<name>} with {@code If-Match} (see {@link Versions}) and
 * {@code DELETE /v1/admin/<kind>/<name>}. Every read first catches this replica's view up with its topic, so what
 * one replica acknowledged, every replica shows. Who may call what is decided by the admin request filter, not here.
 */
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin", description = "Sigil's desired state: roles, bots, join tokens, locks, leaf clusters, deliveries, bot instances")
@APIResponse(responseCode = "400", description = "MALFORMED_REQUEST: a parameter or the body is not what the API takes; the message says which and why")
@APIResponse(responseCode = "401", description = "ADMIN_UNAUTHENTICATED: no admin certificate (or console session), or not a valid one; run `sigil login`")
@APIResponse(responseCode = "403", description = "ADMIN_ROLE_MISSING: the admin's role does not allow this (the message names the role needed); LOCKED: the admin's bot or instance is locked")
@APIResponse(responseCode = "503", description = "UNAVAILABLE: join-service could not read the resource's topic up to its end in time; retry after Retry-After")
public class AdminResources {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    /** The reason on every instance lock made by deleting its bot: shown in the refusal of any renewal it tries. */
    public static final String BOT_DELETED = "bot deleted";

    @Inject
    AdminViews views;
    @Inject
    BotInstanceView instances;
    @Inject
    DesiredStateWriter writer;
    @Inject
    JoinTokenView joinTokens;
    @Inject
    RoleView roleView;
    @Inject
    JoinMethods methods;

    // ---- roles

    @GET
    @Path("/roles")
    @Operation(summary = "List roles, sorted by name")
    @APIResponse(responseCode = "200", description = "{\"items\": [role...], \"next\": cursor or null}")
    public Response roles(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after) {
        return list(views.roles, limit, after, r -> true);
    }

    @GET
    @Path("/roles/{name}")
    @Operation(summary = "Get a role and its ETag")
    @APIResponse(responseCode = "200", description = "the role", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no role by that name")
    public Response role(@PathParam("name") String name) {
        return get(views.roles, "role", name);
    }

    @PUT
    @Path("/roles/{name}")
    @Operation(summary = "Update a role at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the role as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no role by that name (create it with POST /v1/admin/roles)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the role changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateRole(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        RoleSpec role = Responses.read(body, RoleSpec.class);
        sameName(name, role.name(), "name");
        AdminChecks.role(role);
        return update(views.roles, "role", name, ifMatch, role, r -> writer.put(r).thenRun(() -> roleView.remember(r)));
    }

    @DELETE
    @Path("/roles/{name}")
    @Operation(summary = "Delete a role; bots that still name it are listed in warnings")
    @APIResponse(responseCode = "200", description = "{\"deleted\": name, \"warnings\": [...]}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no role by that name")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the role changed since")
    public Response deleteRole(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return delete(views.roles, "role", name, ifMatch, n -> writer.removeRole(n), () -> {
            views.bots.catchUp();
            return views.bots.all(b -> b.roles().contains(name)).stream()
                    .map(b -> "bot '" + b.name() + "' still names role '" + name + "': its joins are refused until the role exists again or the bot drops it")
                    .toList();
        });
    }

    // ---- bots

    @GET
    @Path("/bots")
    @Operation(summary = "List bots, sorted by name")
    @APIResponse(responseCode = "200", description = "{\"items\": [bot...], \"next\": cursor or null}")
    public Response bots(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after,
            @QueryParam("role") @Parameter(description = "only bots that may use this role") String role) {
        return list(views.bots, limit, after, b -> role == null || b.roles().contains(role));
    }

    @GET
    @Path("/bots/{name}")
    @Operation(summary = "Get a bot and its ETag")
    @APIResponse(responseCode = "200", description = "the bot", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no bot by that name")
    public Response bot(@PathParam("name") String name) {
        return get(views.bots, "bot", name);
    }

    @PUT
    @Path("/bots/{name}")
    @Operation(summary = "Update a bot at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the bot as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no bot by that name (create it with POST /v1/admin/bots)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the bot changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateBot(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        BotSpec bot = Responses.read(body, BotSpec.class);
        sameName(name, bot.name(), "name");
        AdminChecks.bot(bot);
        return update(views.bots, "bot", name, ifMatch, bot, writer::put);
    }

    /** What deleting a bot did besides: the join tokens it deleted and the instances it locked. */
    public record DeletedBot(String deleted, List<String> joinTokensDeleted, List<String> instancesLocked) {
    }

    @DELETE
    @Path("/bots/{name}")
    @Operation(summary = "Delete a bot: its join tokens are deleted, its instances locked (reason 'bot deleted'), "
            + "and renewal-service stops their renewal timers")
    @APIResponse(responseCode = "200", description = "{\"deleted\": name, \"joinTokensDeleted\": [...], \"instancesLocked\": [...]}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no bot by that name")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the bot changed since")
    public Response deleteBot(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return Versions.exclusively("bot", name, () -> {
            views.bots.catchUp();
            BotSpec bot = views.bots.find(name).orElseThrow(() -> notFound("bot", name));
            if (ifMatch != null) {
                Versions.check(ifMatch, bot, "bot '" + name + "'");
            }
            views.tokens.catchUp();
            instances.catchUp();
            // Tokens and instances first: should the bot's own tombstone fail, nothing it had is left usable.
            List<String> tokens = new ArrayList<>();
            for (JoinTokenSpec token : views.tokens.all(t -> name.equals(t.bot()))) {
                await(writer.removeJoinToken(token.name()));
                joinTokens.forget(token.name());
                tokens.add(token.name());
            }
            List<String> locked = new ArrayList<>();
            for (BotInstanceView.Instance instance : instances.of(name)) {
                await(writer.put(new LockSpec(LockSpec.instance(instance.instanceId()), BOT_DELETED, null)));
                locked.add(instance.instanceId());
            }
            await(writer.removeBot(name));
            return Responses.json(200, new DeletedBot(name, tokens, locked));
        });
    }

    // ---- join tokens

    @GET
    @Path("/tokens")
    @Operation(summary = "List join tokens (never their secrets), sorted by name")
    @APIResponse(responseCode = "200", description = "{\"items\": [join token...], \"next\": cursor or null}")
    public Response tokens(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after,
            @QueryParam("bot") @Parameter(description = "only this bot's join tokens") String bot,
            @QueryParam("method") @Parameter(description = "only join tokens of this join method") String method) {
        return list(views.tokens, limit, after, t -> (bot == null || bot.equals(t.bot()))
                && (method == null || method.equals(t.joinMethod())));
    }

    @GET
    @Path("/tokens/{name}")
    @Operation(summary = "Get a join token (never its secret) and its ETag")
    @APIResponse(responseCode = "200", description = "the join token: name, bot, joinMethod, expires, allow, config", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no join token by that name")
    public Response token(@PathParam("name") String name) {
        return get(views.tokens, "join token", name);
    }

    @PUT
    @Path("/tokens/{name}")
    @Operation(summary = "Update a join token (bot, expiry, allow rules, settings) at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the join token as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no join token by that name (create it with POST /v1/admin/tokens)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the join token changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateToken(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        JoinTokenSpec token = Responses.read(body, JoinTokenSpec.class);
        sameName(name, token.name(), "name");
        SpecNames.require(Names.RESOURCE, token.bot(), "bot");
        Responses.required(token.joinMethod(), "joinMethod");
        if (token.expires() == null) {
            throw AdminChecks.malformed("a join token needs 'expires', an instant like 2030-01-01T00:00:00Z");
        }
        methods.require(token.joinMethod()).checkToken(token);
        return update(views.tokens, "join token", name, ifMatch, token, t -> writer.put(t).thenRun(() -> joinTokens.remember(t)));
    }

    @DELETE
    @Path("/tokens/{name}")
    @Operation(summary = "Delete a join token: no bot can join with it any more")
    @APIResponse(responseCode = "200", description = "{\"deleted\": name}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no join token by that name")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the join token changed since")
    public Response deleteToken(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return delete(views.tokens, "join token", name, ifMatch,
                n -> writer.removeJoinToken(n).thenRun(() -> joinTokens.forget(n)), List::of);
    }

    // ---- locks

    @GET
    @Path("/locks")
    @Operation(summary = "List locks, sorted by target")
    @APIResponse(responseCode = "200", description = "{\"items\": [lock...], \"next\": cursor or null}")
    public Response locks(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after,
            @QueryParam("target") @Parameter(description = "only the lock on this target (bot:<name>, join-token:<name>, instance:<id>), "
                    + "or with a trailing *, every target that starts so, like bot:*") String target) {
        Predicate<LockSpec> filter = target == null ? l -> true
                : target.endsWith("*") ? l -> l.target().startsWith(target.substring(0, target.length() - 1))
                : l -> l.target().equals(target);
        return list(views.locks, limit, after, filter);
    }

    @GET
    @Path("/locks/{target}")
    @Operation(summary = "Get a lock and its ETag")
    @APIResponse(responseCode = "200", description = "the lock", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no lock on that target")
    public Response lock(@PathParam("target") String target) {
        return get(views.locks, "lock", target);
    }

    @PUT
    @Path("/locks/{target}")
    @Operation(summary = "Update a lock's reason or expiry at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the lock as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no lock on that target (lock with POST /v1/admin/locks)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the lock changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateLock(@PathParam("target") String target, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        LockSpec lock = Responses.read(body, LockSpec.class);
        sameName(target, lock.target(), "target");
        AdminChecks.lockTarget(target);
        AdminChecks.lockReason(lock.reason());
        return update(views.locks, "lock", target, ifMatch, lock, writer::put);
    }

    @DELETE
    @Path("/locks/{target}")
    @Operation(summary = "Remove a lock")
    @APIResponse(responseCode = "200", description = "{\"deleted\": target}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no lock on that target")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the lock changed since")
    public Response unlock(@PathParam("target") String target, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return delete(views.locks, "lock", target, ifMatch, writer::removeLock, List::of);
    }

    // ---- leaf clusters

    @GET
    @Path("/leaf-clusters")
    @Operation(summary = "List leaf clusters, sorted by name")
    @APIResponse(responseCode = "200", description = "{\"items\": [leaf cluster...], \"next\": cursor or null}")
    public Response leafClusters(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after) {
        return list(views.leafClusters, limit, after, l -> true);
    }

    @GET
    @Path("/leaf-clusters/{name}")
    @Operation(summary = "Get a leaf cluster and its ETag")
    @APIResponse(responseCode = "200", description = "the leaf cluster", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no leaf cluster by that name")
    public Response leafCluster(@PathParam("name") String name) {
        return get(views.leafClusters, "leaf cluster", name);
    }

    @PUT
    @Path("/leaf-clusters/{name}")
    @Operation(summary = "Update a leaf cluster at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the leaf cluster as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no leaf cluster by that name (create it with POST /v1/admin/leaf-clusters)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the leaf cluster changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateLeafCluster(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        LeafClusterSpec leaf = Responses.read(body, LeafClusterSpec.class);
        sameName(name, leaf.name(), "name");
        AdminChecks.leafCluster(leaf);
        return update(views.leafClusters, "leaf cluster", name, ifMatch, leaf, writer::put);
    }

    @DELETE
    @Path("/leaf-clusters/{name}")
    @Operation(summary = "Delete a leaf cluster")
    @APIResponse(responseCode = "200", description = "{\"deleted\": name}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no leaf cluster by that name")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the leaf cluster changed since")
    public Response deleteLeafCluster(@PathParam("name") String name, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return delete(views.leafClusters, "leaf cluster", name, ifMatch, writer::removeLeafCluster, List::of);
    }

    // ---- deliveries

    @GET
    @Path("/deliveries")
    @Operation(summary = "List deliveries, sorted by id")
    @APIResponse(responseCode = "200", description = "{\"items\": [delivery...], \"next\": cursor or null}")
    public Response deliveries(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after,
            @QueryParam("bot") @Parameter(description = "only this bot's deliveries") String bot) {
        return list(views.deliveries, limit, after, d -> bot == null || bot.equals(d.bot()));
    }

    @GET
    @Path("/deliveries/{id}")
    @Operation(summary = "Get a delivery and its ETag")
    @APIResponse(responseCode = "200", description = "the delivery", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no delivery by that id")
    public Response delivery(@PathParam("id") String id) {
        return get(views.deliveries, "delivery", id);
    }

    @PUT
    @Path("/deliveries/{id}")
    @Operation(summary = "Update a delivery at the version named by If-Match")
    @APIResponse(responseCode = "200", description = "the delivery as written", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no delivery by that id (create it with POST /v1/admin/deliveries)")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: the delivery changed since the ETag in If-Match was read")
    @APIResponse(responseCode = "428", description = "VERSION_REQUIRED: If-Match is missing")
    public Response updateDelivery(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, String body) {
        DeliverySpec delivery = Responses.read(body, DeliverySpec.class);
        sameName(id, delivery.id(), "id");
        Deliveries.check(delivery);
        return update(views.deliveries, "delivery", id, ifMatch, delivery, writer::put);
    }

    @DELETE
    @Path("/deliveries/{id}")
    @Operation(summary = "Delete a delivery: output-writer removes its files")
    @APIResponse(responseCode = "200", description = "{\"deleted\": id}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: no delivery by that id")
    @APIResponse(responseCode = "409", description = "VERSION_CONFLICT: If-Match was given and the delivery changed since")
    public Response deleteDelivery(@PathParam("id") String id, @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        return delete(views.deliveries, "delivery", id, ifMatch, writer::removeDelivery, List::of);
    }

    // ---- bot instances (written by the issuer; an admin reads them, and deleting one locks it)

    @GET
    @Path("/bot-instances")
    @Operation(summary = "List bot instances with generation, join method and last seen, sorted by bot then instance id")
    @APIResponse(responseCode = "200", description = "{\"items\": [instance...], \"next\": cursor (<bot>/<instance id>) or null}")
    public Response botInstances(@QueryParam("limit") @Parameter(description = "page size, 1 to 1000 (default 100)") String limit,
            @QueryParam("after") @Parameter(description = "the previous page's next") String after,
            @QueryParam("bot") @Parameter(description = "only this bot's instances") String bot) {
        int size = limit(limit);
        instances.catchUp();
        return Responses.json(200, instances.page(blankToNull(after), size, blankToNull(bot)));
    }

    @GET
    @Path("/bot-instances/{bot}/{instanceId}")
    @Operation(summary = "Get a bot instance with its history of joins and renewals (generation, at, kind, joinMethod)")
    @APIResponse(responseCode = "200", description = "the instance with its history", headers = @Header(name = "ETag"))
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the bot has no instance by that id")
    public Response botInstance(@PathParam("bot") String bot, @PathParam("instanceId") String instanceId) {
        instances.catchUp();
        BotInstanceView.Instance instance = instances.find(bot, instanceId)
                .orElseThrow(() -> notFound("bot instance", bot + "/" + instanceId));
        return withEtag(200, instance, instance.instance());
    }

    @DELETE
    @Path("/bot-instances/{bot}/{instanceId}")
    @Operation(summary = "Delete a bot instance: it is locked (instance:<id>, reason 'instance deleted'), so it can never "
            + "renew; its record stays with the issuer, which owns sigil.bot-instances")
    @APIResponse(responseCode = "200", description = "{\"deleted\": <bot>/<instance id>}")
    @APIResponse(responseCode = "404", description = "NOT_FOUND: the bot has no instance by that id")
    public Response deleteBotInstance(@PathParam("bot") String bot, @PathParam("instanceId") String instanceId) {
        instances.catchUp();
        instances.find(bot, instanceId).orElseThrow(() -> notFound("bot instance", bot + "/" + instanceId));
        await(writer.put(new LockSpec(LockSpec.instance(instanceId), "instance deleted", null)));
        return Responses.json(200, new Deleted(bot + "/" + instanceId, List.of()));
    }

    // ---- the same for every kind

    /** What a delete answers: the name, and anything the admin should know. */
    public record Deleted(String deleted, List<String> warnings) {
    }

    private <T> Response list(SpecView<T> view, String limit, String after, Predicate<T> filter) {
        int size = limit(limit);
        view.catchUp();
        return Responses.json(200, view.page(blankToNull(after), size, filter));
    }

    private <T> Response get(SpecView<T> view, String kind, String name) {
        view.catchUp();
        T resource = view.find(name).orElseThrow(() -> notFound(kind, name));
        return withEtag(200, resource, resource);
    }

    /** The compare-and-set: see {@link Versions} for what it guarantees, within a replica and between replicas. */
    private <T> Response update(SpecView<T> view, String kind, String name, String ifMatch, T updated,
            Function<T, CompletionStage<Void>> write) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new RefusalException(428, Refusal.VERSION_REQUIRED, "an update of " + kind + " '" + Names.printable(name)
                    + "' needs the header 'If-Match: <ETag>' with the ETag a GET of it answered");
        }
        return Versions.exclusively(kind, name, () -> {
            view.catchUp();
            T current = view.find(name).orElseThrow(() -> notFound(kind, name));
            Versions.check(ifMatch, current, kind + " '" + name + "'");
            await(write.apply(updated));
            return withEtag(200, updated, updated);
        });
    }

    private <T> Response delete(SpecView<T> view, String kind, String name, String ifMatch,
            Function<String, CompletionStage<Void>> remove, java.util.function.Supplier<List<String>> warnings) {
        return Versions.exclusively(kind, name, () -> {
            view.catchUp();
            T current = view.find(name).orElseThrow(() -> notFound(kind, name));
            if (ifMatch != null) {
                Versions.check(ifMatch, current, kind + " '" + name + "'");
            }
            await(remove.apply(name));
            return Responses.json(200, new Deleted(name, warnings.get()));
        });
    }

    private static Response withEtag(int status, Object body, Object versioned) {
        return Response.fromResponse(Responses.json(status, body)).header(HttpHeaders.ETAG, Versions.etag(versioned)).build();
    }

    private static int limit(String limit) {
        if (limit == null || limit.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int size = Integer.parseInt(limit.trim());
            if (size >= 1 && size <= MAX_LIMIT) {
                return size;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw AdminChecks.malformed("limit must be a whole number from 1 to " + MAX_LIMIT + "; it was '"
                + Names.printable(limit) + "'");
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static void sameName(String path, String body, String field) {
        if (!Objects.equals(path, body)) {
            throw AdminChecks.malformed("the body's '" + field + "' must be '" + Names.printable(path)
                    + "', the name in the path; it was '" + Names.printable(String.valueOf(body)) + "' (renaming is delete and create)");
        }
    }

    private static RefusalException notFound(String kind, String name) {
        return new RefusalException(404, Refusal.NOT_FOUND, "there is no " + kind + " '" + Names.printable(name)
                + "'; list them with GET /v1/admin/" + switch (kind) {
                    case "join token" -> "tokens";
                    case "leaf cluster" -> "leaf-clusters";
                    case "delivery" -> "deliveries";
                    case "bot instance" -> "bot-instances";
                    default -> kind + "s";
                });
    }

    /** Waits for Kafka's acknowledgement of a write: an answer means it is on the topic. */
    private static void await(CompletionStage<Void> write) {
        try {
            write.toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusalException(503, Refusal.UNAVAILABLE, "interrupted while writing to Kafka; retry");
        } catch (ExecutionException | TimeoutException e) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "Kafka did not acknowledge the write in time ("
                    + e.getClass().getSimpleName() + "); retry, after GET to see whether it landed");
        }
    }
}
