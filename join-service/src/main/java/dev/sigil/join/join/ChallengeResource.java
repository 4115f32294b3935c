package dev.sigil.join.join;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.sigil.join.api.Responses;
import dev.sigil.join.joinmethod.Challenges;

/** {@code POST /v1/join/challenge}: a fresh challenge for the iam and bound_keypair join methods to sign. */
@Path("/v1/join/challenge")
public class ChallengeResource {
    @Inject
    Challenges challenges;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response challenge() {
        return Responses.json(200, Map.of("challenge", challenges.issue(), "expiresInSeconds", Challenges.LIFETIME.toSeconds()));
    }
}
