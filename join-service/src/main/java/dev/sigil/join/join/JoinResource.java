package dev.sigil.join.join;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.joinmethod.JoinMethods;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;
import dev.sigil.join.joinmethod.token.TokenJoinMethod;
import dev.sigil.join.ratelimit.RateLimits;
import dev.sigil.join.renew.CaView;
import dev.sigil.join.renew.CurrentIdentity;
import io.smallrye.mutiny.Uni;

/**
 * {@code POST /v1/join}: the join method checks the bot's proof, issuer-service decides and signs, and the caller
 * gets its certificates and the CA bundle, or the refusal with its reason code.
 */
@Path("/v1/join")
public class JoinResource {
    @Inject
    JoinMethods methods;
    @Inject
    IssueClient issuer;
    @Inject
    RateLimits rateLimits;
    @Inject
    CaView caView;
    @Inject
    CurrentIdentity identities;

    /** A join with no caller address to record (no HTTP request: tests). */
    public Uni<Response> join(String body) {
        return join(body, null);
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> join(String body, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        JoinRequest request = Responses.read(body, JoinRequest.class);
        checkTtl(request.ttl());
        String method = request.joinMethod() == null ? TokenJoinMethod.NAME : request.joinMethod();
        VerifiedJoin verified = methods.require(method).verify(request);
        rateLimits.bot(verified.bot());
        Responses.required(request.publicKey(), "publicKey");
        IssueRequest issue = new IssueRequest(Responses.requestId(request.requestId()), verified.bot(), verified.attestation(),
                request.publicKey(), request.ttl(), Instant.now(), previousInstance(request, verified, method), request.outputs(),
                callerAddress(http));
        return issuer.request(issue).flatMap(result -> caView.withBundle(result)).map(JoinResource::answer);
    }

    /** Where a join or renewal came from, for the bot instance's history (admins see it as the host). */
    public static String callerAddress(io.vertx.core.http.HttpServerRequest http) {
        return http == null || http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    }

    /** The TTL a join or a renewal asks for: none (the bot's default) or a positive one; issuer-service caps it. */
    public static void checkTtl(Duration ttl) {
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "ttl must be positive, like 1h or 30m");
        }
    }

    /** A re-join with the identity the bot still holds continues that bot instance, if it is the same bot's. */
    private BotInstance previousInstance(JoinRequest request, VerifiedJoin verified, String method) {
        JoinRequest.PreviousIdentity previous = request.previousIdentity();
        if (previous == null) {
            return null;
        }
        CurrentIdentity.Presented presented = identities.inspect(previous.certificate());
        if (!presented.bot().equals(verified.bot()) || !presented.instance().joinMethod().equals(method)) {
            throw new RefusalException(403, Refusal.IDENTITY_INVALID, "the previous identity is bot '" + presented.bot()
                    + "' joined by " + presented.instance().joinMethod() + ", not this join's bot and method; join without it");
        }
        identities.prove(presented, previous.challenge(), previous.signature());
        return presented.instance();
    }

    /** The HTTP answer to an issue result: the certificates, or the refusal with a fitting status. */
    public static Response answer(IssueResult result) {
        if (result.isIssued()) {
            return Responses.json(200, result);
        }
        throw new RefusalException(statusOf(result.refusal().code()), result.refusal());
    }

    static int statusOf(String code) {
        return switch (code) {
            case Refusal.INVALID_PUBLIC_KEY, Refusal.MALFORMED_REQUEST, Refusal.ISSUANCE_FAILED -> 400;
            case Refusal.PROOF_REPLAYED, Refusal.CHALLENGE_INVALID, Refusal.UNKNOWN_INSTANCE -> 401;
            case Refusal.TOKEN_ALREADY_USED, Refusal.TOKEN_EXPIRED, Refusal.TOKEN_NOT_FOUND, Refusal.JWT_REPLAYED,
                    Refusal.JWT_EXPIRED -> 401;
            default -> 403;
        };
    }
}
