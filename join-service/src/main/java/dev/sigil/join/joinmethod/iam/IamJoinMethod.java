package dev.sigil.join.joinmethod.iam;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.AllowRules;
import dev.sigil.join.joinmethod.Challenges;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;

/**
 * AWS IAM: the bot signs an {@code sts:GetCallerIdentity} request with its AWS credentials (SigV4), including
 * Sigil's challenge in a signed {@code X-Sigil-Challenge} header, and hands the signed request over. join-service
 * sends it to the STS endpoint itself, only if that endpoint is on its allow-list, and STS answers with who signed
 * it. The bot never shares credentials, and a request signed for another challenge or another service is useless.
 */
@Singleton
public class IamJoinMethod implements JoinMethod {
    public static final String CHALLENGE_HEADER = "x-sigil-challenge";
    static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
    /** Headers the HTTP client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final JoinTokenView tokens;
    private final Challenges challenges;
    private final Map<String, URI> endpoints = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public IamJoinMethod(JoinTokenView tokens, Challenges challenges,
            @ConfigProperty(name = "sigil.join.iam.sts-endpoints") List<String> allowedEndpoints) {
        this.tokens = tokens;
        this.challenges = challenges;
        allowedEndpoints.forEach(e -> {
            URI uri = URI.create(e.trim());
            endpoints.put(uri.getAuthority(), uri);
        });
    }

    @Override
    public String name() {
        return "iam";
    }

    @Override
    public void checkToken(JoinTokenSpec token) {
        AllowRules.check(token.allow(), Set.of("aws_account", "aws_arn"), name());
    }

    @Override
    public VerifiedJoin verify(JoinRequest request) {
        JoinTokenSpec token = tokens.require(request.token(), name());
        Instant challengeExpires = challenges.verify(request.challenge());
        JoinRequest.StsRequest sts = request.stsRequest();
        if (sts == null || sts.headers() == null) {
            throw invalid("the join needs 'stsRequest' with the signed headers and body of sts:GetCallerIdentity");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(sts.headers());
        URI endpoint = endpoints.get(String.valueOf(headers.get("host")));
        if (endpoint == null) {
            throw new RefusalException(400, Refusal.STS_ENDPOINT_NOT_ALLOWED, "STS host '" + headers.get("host")
                    + "' is not on sigil.join.iam.sts-endpoints; sign the request for one of " + endpoints.keySet());
        }
        if (!BODY.equals(sts.body())) {
            throw invalid("the body must be exactly '" + BODY + "'");
        }
        if (!request.challenge().equals(headers.get(CHALLENGE_HEADER)) || !signedHeaders(headers).contains(CHALLENGE_HEADER)) {
            throw invalid("the request must carry Sigil's challenge in the signed header X-Sigil-Challenge");
        }
        JsonNode identity = callerIdentity(endpoint, headers, sts.body());
        String account = identity.path("Account").asText("");
        String arn = identity.path("Arn").asText("");
        Map<String, List<String>> values = Map.of("aws_account", List.of(account), "aws_arn", List.of(arn));
        if (!AllowRules.anyMatches(token.allow(), f -> values.getOrDefault(f, List.of()), Set.of("aws_arn"))) {
            throw new RefusalException(403, Refusal.ALLOW_RULES_NOT_MATCHED, "AWS identity " + arn + " (account "
                    + account + ") matches none of the allow rules of join token '" + token.name() + "'");
        }
        return new VerifiedJoin(token.bot(), new Attestation(name(), token.name(), "challenge:" + request.challenge(),
                challengeExpires));
    }

    private JsonNode callerIdentity(URI endpoint, Map<String, String> headers, String body) {
        HttpRequest.Builder forward = HttpRequest.newBuilder(endpoint.resolve("/")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase())) {
                forward.header(name, value);
            }
        });
        if (!headers.containsKey("accept")) {
            forward.header("Accept", "application/json"); // unsigned is fine: SigV4 covers only the signed headers
        }
        try {
            HttpResponse<String> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new RefusalException(401, Refusal.STS_REJECTED, "STS refused the signed request (HTTP "
                        + response.statusCode() + "); sign it with valid AWS credentials just before joining");
            }
            JsonNode result = EventJson.MAPPER.readTree(response.body()).at("/GetCallerIdentityResponse/GetCallerIdentityResult");
            if (result.isMissingNode()) {
                throw new IOException("no GetCallerIdentityResult in STS's answer");
            }
            return result;
        } catch (IOException e) {
            throw new RefusalException(503, Refusal.UNAVAILABLE, "STS at " + endpoint + " could not be asked (" + e.getMessage() + "); retry shortly");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusalException(503, Refusal.UNAVAILABLE, "interrupted while asking STS");
        }
    }

    /** The SignedHeaders of a SigV4 Authorization header. */
    static List<String> signedHeaders(Map<String, String> headers) {
        String authorization = headers.getOrDefault("authorization", "");
        if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            throw invalid("the request is not signed with AWS Signature Version 4");
        }
        return Arrays.stream(authorization.substring(17).split(","))
                .map(String::trim).filter(p -> p.startsWith("SignedHeaders="))
                .flatMap(p -> Arrays.stream(p.substring(14).split(";"))).toList();
    }

    private static RefusalException invalid(String message) {
        return new RefusalException(400, Refusal.STS_REQUEST_INVALID, message);
    }
}
