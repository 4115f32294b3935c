package dev.sigil.join.admin;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaRotationRequest;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;
import dev.sigil.join.api.Responses;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.renew.CaView;
import dev.sigil.join.joinmethod.JoinMethods;
import dev.sigil.join.joinmethod.token.TokenJoinMethod;

/**
 * The admin API's creating half: roles, bots, join tokens, locks, leaf clusters, deliveries and CA rotation (POST
 * creates or replaces). Every name is checked against its grammar ({@link SpecNames}) and every write goes to its
 * compacted topic before it is answered. Lists, reads, versioned updates and deletes are {@link AdminResources}.
 */
// On a worker thread: AdminAccess may catch up with the desired-state views to find who owns what a write reaches.
@io.smallrye.common.annotation.Blocking
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    private static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    DesiredStateWriter writer;
    @Inject
    JoinTokenView tokens;
    @Inject
    JoinMethods methods;
    @Inject
    RoleView roles;
    @Inject
    CaView caView;

    @POST
    @Path("/roles")
    public CompletionStage<Response> putRole(String body) {
        RoleSpec role = Responses.read(body, RoleSpec.class);
        AdminChecks.role(role);
        return writer.put(role).thenApply(done -> {
            roles.remember(role);
            return Responses.json(201, role);
        });
    }

    @POST
    @Path("/bots")
    public CompletionStage<Response> putBot(String body) {
        BotSpec bot = Responses.read(body, BotSpec.class);
        AdminChecks.bot(bot);
        List<String> warnings = BotWarnings.of(bot, roles);
        return writer.put(bot).thenApply(done -> Responses.json(201, new WrittenBot(bot, warnings)));
    }

    /** A written bot, with what the admin should know about it. */
    public record WrittenBot(BotSpec bot, List<String> warnings) {
    }

    /**
     * What an admin asks for when creating a join token. Method {@code token} gets a generated secret; delegated
     * methods take an admin-chosen {@code name}, the allow rules and the method's settings.
     */
    public record TokenRequest(String name, String bot, String joinMethod, Duration ttl,
            List<Map<String, String>> allow, Map<String, String> config) {
    }

    /**
     * The created token. For method {@code token} the secret is shown once and never stored, only its digest (the
     * token's name) is; delegated tokens have no secret, the platform's signed token is the proof.
     */
    public record CreatedToken(String token, String name, String bot, String joinMethod, Instant expires) {
    }

    @POST
    @Path("/tokens")
    public CompletionStage<Response> createToken(String body) {
        TokenRequest request = Responses.read(body, TokenRequest.class);
        SpecNames.require(Names.RESOURCE, request.bot(), "bot");
        if (request.name() != null) {
            SpecNames.require(Names.RESOURCE, request.name(), "name");
        }
        String method = request.joinMethod() == null ? "token" : request.joinMethod();
        JoinMethod joinMethod = methods.require(method);
        Duration ttl = request.ttl() == null ? DEFAULT_TOKEN_TTL : request.ttl();
        if (ttl.isNegative() || ttl.isZero()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "ttl must be positive, like 1h or 30m");
        }
        String secret = null;
        String name;
        if (TokenJoinMethod.NAME.equals(method)) {
            byte[] secretBytes = new byte[32];
            RANDOM.nextBytes(secretBytes);
            secret = HexFormat.of().formatHex(secretBytes);
            name = tokenName(secret);
        } else {
            name = SpecNames.require(Names.RESOURCE, request.name(), "name");
        }
        JoinTokenSpec spec = new JoinTokenSpec(name, request.bot(), method, Instant.now().plus(ttl), request.allow(),
                request.config());
        joinMethod.checkToken(spec);
        String shownSecret = secret;
        return writer.put(spec).thenApply(done -> {
            tokens.remember(spec);
            return Responses.json(201, new CreatedToken(shownSecret, spec.name(), spec.bot(), method, spec.expires()));
        });
    }

    @POST
    @Path("/leaf-clusters")
    public CompletionStage<Response> putLeafCluster(String body) {
        LeafClusterSpec leaf = Responses.read(body, LeafClusterSpec.class);
        AdminChecks.leafCluster(leaf);
        return writer.put(leaf).thenApply(done -> Responses.json(201, leaf));
    }

    /** What an admin asks for to move the CA rotation: the next phase, and the window renewals spread over. */
    public record RotationRequest(String phase, Duration spread) {
    }

    @GET
    @Path("/ca")
    public Response ca() {
        return Responses.json(200, caView.bundle().orElseThrow(() -> new RefusalException(503, Refusal.UNAVAILABLE,
                "join-service has not read Sigil's CA from sigil.ca yet; retry shortly")));
    }

    @POST
    @Path("/ca/rotation")
    public CompletionStage<Response> rotate(String body) {
        RotationRequest request = Responses.read(body, RotationRequest.class);
        String phase = Responses.required(request.phase(), "phase");
        CaBundle current = caView.bundle().orElseThrow(() -> new RefusalException(503, Refusal.UNAVAILABLE,
                "join-service has not read Sigil's CA from sigil.ca yet; retry shortly"));
        if (!current.canMoveTo(phase)) {
            throw new RefusalException(409, Refusal.ROTATION_NOT_ALLOWED, "the CA rotation is in phase " + current.phase()
                    + " and can move to " + CaBundle.TRANSITIONS.getOrDefault(current.phase(), java.util.Set.of()) + ", not " + phase);
        }
        CaRotationRequest rotation = new CaRotationRequest(java.util.UUID.randomUUID().toString(), phase, request.spread());
        return writer.put(rotation).thenApply(done -> Responses.json(202, rotation));
    }

    /** What an admin asks for when locking: the target ({@code bot:x}, {@code join-token:y}, {@code instance:z}). */
    public record LockRequest(String target, String reason, Duration ttl) {
    }

    @POST
    @Path("/locks")
    public CompletionStage<Response> lock(String body) {
        LockRequest request = Responses.read(body, LockRequest.class);
        String target = AdminChecks.lockTarget(request.target());
        String reason = AdminChecks.lockReason(request.reason());
        AdminChecks.positive(request.ttl(), "ttl must be positive, like 1h, or left out for a lock until removed");
        LockSpec lock = new LockSpec(target, reason,
                request.ttl() == null ? null : Instant.now().plus(request.ttl()));
        return writer.put(lock).thenApply(done -> Responses.json(201, lock));
    }

    @POST
    @Path("/deliveries")
    public CompletionStage<Response> putDelivery(String body) {
        DeliverySpec delivery = Responses.read(body, DeliverySpec.class);
        Deliveries.check(delivery);
        return writer.put(delivery).thenApply(done -> Responses.json(201, delivery));
    }

    /** A token's name is the hex SHA-256 of its secret: topics and logs can show names without leaking secrets. */
    public static String tokenName(String secret) {
        return HexFormat.of().formatHex(RequestGuards.sha256(secret));
    }

}
