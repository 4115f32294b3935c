package dev.sigil.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * The job's side of GitHub's OIDC provider on loopback: what ACTIONS_ID_TOKEN_REQUEST_URL names. Like the real one
 * it answers {@code GET .../idtoken?api-version=2.0&audience=<aud>} with the job's request token as bearer, with
 * {@code {"value": "<jwt>"}}; without an audience the token is for {@code https://github.com/<owner>}. The JWT carries
 * the claims GitHub puts in one (all strings, as GitHub writes them) for the job described here, signed RS256 by the
 * given platform's key.
 */
final class GithubIdTokenEndpoint implements AutoCloseable {
    private static final String PATH = "/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/"
            + "11111111-1111-1111-1111-111111111111/jobs/22222222-2222-2222-2222-222222222222/idtoken";

    private final FakePlatform github;
    private final String repository;
    private final String ref;
    /** The job's ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
    final String requestToken = UUID.randomUUID().toString();
    /** The audience of each token handed out. */
    final List<String> audiences = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    GithubIdTokenEndpoint(FakePlatform github, String repository, String ref) throws IOException {
        this.github = github;
        this.repository = repository;
        this.ref = ref;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PATH, this::answer);
        server.start();
    }

    /** The job's ACTIONS_ID_TOKEN_REQUEST_URL. */
    String requestUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH + "?api-version=2.0";
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (!exchange.getRequestMethod().equals("GET") || !"2.0".equals(query.get("api-version"))) {
                send(exchange, 400, "{\"message\":\"api-version 2.0 is required\"}");
                return;
            }
            if (!("Bearer " + requestToken).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"message\":\"Unauthorized\"}");
                return;
            }
            String audience = query.getOrDefault("audience", "https://github.com/" + repository.split("/")[0]);
            audiences.add(audience);
            send(exchange, 200, EventJson.write(Map.of("value", github.sign(claims(audience)))));
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IOException(e);
        }
    }

    private JWTClaimsSet claims(String audience) {
        Instant now = Instant.now();
        String owner = repository.split("/")[0];
        String workflowRef = repository + "/.github/workflows/deploy.yml@" + ref;
        return new JWTClaimsSet.Builder()
                .jwtID(UUID.randomUUID().toString())
                .subject("repo:" + repository + ":ref:" + ref)
                .audience(audience)
                .issuer(github.url())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(600)))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .claim("ref", ref)
                .claim("sha", "6e4b1f0ad4bd1e3f2a21b3b6f0c7e4c9d1a2b3c4")
                .claim("repository", repository)
                .claim("repository_owner", owner)
                .claim("repository_owner_id", "65")
                .claim("repository_id", "74")
                .claim("repository_visibility", "private")
                .claim("actor", "octocat")
                .claim("actor_id", "12")
                .claim("run_id", "7001")
                .claim("run_number", "10")
                .claim("run_attempt", "1")
                .claim("runner_environment", "github-hosted")
                .claim("workflow", "deploy")
                .claim("workflow_ref", workflowRef)
                .claim("workflow_sha", "6e4b1f0ad4bd1e3f2a21b3b6f0c7e4c9d1a2b3c4")
                .claim("job_workflow_ref", workflowRef)
                .claim("job_workflow_sha", "6e4b1f0ad4bd1e3f2a21b3b6f0c7e4c9d1a2b3c4")
                .claim("head_ref", "")
                .claim("base_ref", "")
                .claim("event_name", "push")
                .claim("ref_type", "branch")
                .claim("ref_protected", "true")
                .build();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> values = new java.util.HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
