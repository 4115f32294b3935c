package dev.sigil.join.renew;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;
import dev.sigil.join.join.IssueClient;
import dev.sigil.join.join.JoinResource;
import dev.sigil.join.ratelimit.RateLimits;
import io.smallrye.mutiny.Uni;

/**
 * {@code POST /v1/renew}: a bot that joined with a renewable method ({@code token}, {@code bound_keypair}) renews
 * with its current identity: its X.509 certificate, and a fresh Sigil challenge signed with the certificate's key.
 * issuer-service then checks the instance's generation, so a copied identity locks itself out.
 */
@Path("/v1/renew")
public class RenewResource {
    private static final Set<String> RENEWABLE = Set.of("token", "bound_keypair");

    @Inject
    CurrentIdentity identities;
    @Inject
    IssueClient issuer;
    @Inject
    RateLimits rateLimits;
    @Inject
    CaView caView;

    /** The body: the current certificate (PEM), a challenge and its signature by the current key, and the new key. */
    public record RenewRequest(String certificate, String challenge, String signature, String publicKey, Duration ttl,
            String requestId, List<OutputRequest> outputs) {
    }

    /** A renewal with no caller address to record (no HTTP request: tests). */
    public Uni<Response> renew(String body) {
        return renew(body, null);
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> renew(String body, @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest http) {
        RenewRequest request = Responses.read(body, RenewRequest.class);
        JoinResource.checkTtl(request.ttl());
        CurrentIdentity.Presented current = identities.inspect(request.certificate());
        BotInstance instance = current.instance();
        String bot = current.bot();
        if (!RENEWABLE.contains(instance.joinMethod())) {
            throw new RefusalException(403, Refusal.RENEWAL_NOT_ALLOWED, "identities from join method '"
                    + instance.joinMethod() + "' do not renew themselves; join again with a fresh platform proof");
        }
        Instant challengeExpires = identities.prove(current, request.challenge(), request.signature());
        rateLimits.bot(bot);
        Responses.required(request.publicKey(), "publicKey");
        IssueRequest issue = new IssueRequest(Responses.requestId(request.requestId()), bot,
                new Attestation(instance.joinMethod(), instance.joinToken(), "challenge:" + request.challenge(), challengeExpires),
                request.publicKey(), request.ttl(), Instant.now(), instance, request.outputs(), JoinResource.callerAddress(http));
        return issuer.request(issue).flatMap(result -> caView.withBundle(result)).map(JoinResource::answer);
    }

}
