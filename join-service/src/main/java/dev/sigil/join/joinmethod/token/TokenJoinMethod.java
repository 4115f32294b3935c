package dev.sigil.join.joinmethod.token;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.admin.AdminResource;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;

/**
 * The one-time join token: the bot presents the secret an admin handed it. join-service checks that the token exists
 * and has not expired; issuer-service consumes it exactly once, so a second join with it is refused even in a race.
 */
@ApplicationScoped
public class TokenJoinMethod implements JoinMethod {
    public static final String NAME = "token";

    private final JoinTokenView tokens;

    public TokenJoinMethod(JoinTokenView tokens) {
        this.tokens = tokens;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public VerifiedJoin verify(JoinRequest request) {
        if (request.token() == null || request.token().isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST,
                    "join method 'token' needs the join token's secret in 'token'");
        }
        // Looked up by digest: no secret is compared, and the map holds no secrets.
        JoinTokenSpec spec = tokens.find(AdminResource.tokenName(request.token().trim()))
                .orElseThrow(() -> new RefusalException(401, Refusal.TOKEN_NOT_FOUND,
                        "this join token is not known; check that it was copied whole, or ask an admin for a new one"));
        if (!NAME.equals(spec.joinMethod())) {
            throw new RefusalException(401, Refusal.TOKEN_METHOD_MISMATCH, "this join token is for join method '"
                    + spec.joinMethod() + "', not 'token'");
        }
        if (spec.expiredAt(Instant.now())) {
            throw new RefusalException(401, Refusal.TOKEN_EXPIRED,
                    "this join token expired at " + spec.expires() + "; ask an admin for a new one");
        }
        return new VerifiedJoin(spec.bot(), new Attestation(NAME, spec.name(), spec.name(), spec.expires()));
    }
}
