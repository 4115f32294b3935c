package dev.sigil.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * Loopback stand-ins for the token endpoints a platform gives its jobs and machines, each answering as the real one
 * does (path, query parameters, required header, response shape) with tokens signed by its own keys, which a
 * {@link FakePlatform} publishes as the platform's issuer. Each counts the tokens it handed out, so a test can tell
 * a refused request from an accepted one.
 */
final class PlatformStandIns {
    private PlatformStandIns() {
    }

    /** An HTTP endpoint on loopback with its own platform keys. */
    abstract static class StandIn implements AutoCloseable {
        final FakePlatform keys;
        final AtomicInteger tokensIssued = new AtomicInteger();
        private final HttpServer server;

        StandIn() throws IOException, JOSEException {
            keys = new FakePlatform();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                try {
                    handle(exchange, query(exchange.getRequestURI()));
                } catch (JOSEException e) {
                    send(exchange, 500, "text/plain", e.toString());
                } finally {
                    exchange.close();
                }
            });
            server.start();
        }

        abstract void handle(HttpExchange exchange, Map<String, String> query) throws IOException, JOSEException;

        /** host:port, as GCE_METADATA_HOST takes it. */
        String hostPort() {
            return "127.0.0.1:" + server.getAddress().getPort();
        }

        String url() {
            return "http://" + hostPort();
        }

        String sign(JWTClaimsSet.Builder claims) throws JOSEException {
            tokensIssued.incrementAndGet();
            return keys.sign(claims.build());
        }

        static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }

        private static Map<String, String> query(URI uri) {
            Map<String, String> query = new LinkedHashMap<>();
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    query.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return query;
        }

        @Override
        public void close() {
            server.stop(0);
            keys.close();
        }
    }

    /**
     * The Actions service's ID-token endpoint that a runner names in ACTIONS_ID_TOKEN_REQUEST_URL (with
     * {@code ?api-version=2.0}): a GET with {@code Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>} answers
     * {@code {"value": "<jwt>"}} for the {@code audience} asked for (without one, GitHub's default
     * {@code https://github.com/<owner>}); without the bearer it answers 401.
     */
    static final class GithubActions extends StandIn {
        final String requestToken = "runtime-" + UUID.randomUUID();
        private final String path = "/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hubs/Actions/plans/"
                + UUID.randomUUID() + "/jobs/" + UUID.randomUUID() + "/idtoken";

        GithubActions() throws IOException, JOSEException {
        }

        /** ACTIONS_ID_TOKEN_REQUEST_URL. */
        String requestUrl() {
            return url() + path + "?api-version=2.0";
        }

        @Override
        void handle(HttpExchange exchange, Map<String, String> query) throws IOException, JOSEException {
            if (!exchange.getRequestURI().getPath().equals(path) || !"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 404, "application/json", "{\"message\":\"Not Found\"}");
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    || !authorization.substring(7).equals(requestToken)) {
                send(exchange, 401, "application/json", "{\"$id\":\"1\",\"innerException\":null,\"message\":\"TF400813: "
                        + "The user '' is not authorized to access this resource.\",\"typeName\":\"Microsoft.TeamFoundation."
                        + "Framework.Server.UnauthorizedRequestException\",\"errorCode\":0,\"eventId\":3000}");
                return;
            }
            String audience = query.getOrDefault("audience", "https://github.com/acme");
            String jwt = sign(FakePlatform.claims(keys.url(), audience, Map.of("repository", "acme/app",
                    "repository_owner", "acme", "workflow", "deploy", "ref", "refs/heads/main", "ref_type", "branch",
                    "actor", "octocat")).subject("repo:acme/app:ref:refs/heads/main"));
            send(exchange, 200, "application/json; charset=utf-8", EventJson.write(Map.of("value", jwt)));
        }
    }

    /**
     * The GCE metadata server: {@code GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=
     * <aud>&format=full} with {@code Metadata-Flavor: Google} answers the instance's identity token as plain text;
     * without the header it answers 403, without an audience 400, and on an instance without a service account 404.
     */
    static final class GcpMetadata extends StandIn {
        static final String PATH = "/computeMetadata/v1/instance/service-accounts/default/identity";
        volatile boolean serviceAccountAttached = true;

        GcpMetadata() throws IOException, JOSEException {
        }

        @Override
        void handle(HttpExchange exchange, Map<String, String> query) throws IOException, JOSEException {
            exchange.getResponseHeaders().set("Metadata-Flavor", "Google");
            if (!"Google".equals(exchange.getRequestHeaders().getFirst("Metadata-Flavor"))
                    || exchange.getRequestHeaders().containsKey("X-Forwarded-For")) {
                send(exchange, 403, "text/html; charset=UTF-8", "<!DOCTYPE html><html><body><p><b>403.</b> That's an error."
                        + "<p>Your client does not have permission to get URL <code>" + exchange.getRequestURI().getPath()
                        + "</code> from this server. Missing Metadata-Flavor:Google header.</body></html>");
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(PATH) || !serviceAccountAttached) {
                send(exchange, 404, "text/html; charset=UTF-8", "<!DOCTYPE html><html><body><p><b>404.</b> That's an error."
                        + "<p>The requested URL <code>" + exchange.getRequestURI().getPath() + "</code> was not found on this server.</body></html>");
                return;
            }
            String audience = query.get("audience");
            if (audience == null || audience.isEmpty()) {
                send(exchange, 400, "text/plain; charset=utf-8", "non-empty audience parameter required\n");
                return;
            }
            Map<String, Object> claims = new LinkedHashMap<>(Map.of("azp", "117012345678901234567",
                    "email", "deployer@acme-prod.iam.gserviceaccount.com", "email_verified", true));
            if ("full".equals(query.get("format"))) {
                claims.put("google", Map.of("compute_engine", Map.of("instance_creation_timestamp", Instant.now().getEpochSecond() - 3600,
                        "instance_id", "4431174209263445312", "instance_name", "build-1", "project_id", "acme-prod",
                        "project_number", 812345678901L, "zone", "us-west1-b")));
            }
            String jwt = sign(FakePlatform.claims(keys.url(), audience, claims).subject("117012345678901234567"));
            send(exchange, 200, "text/html; charset=utf-8", jwt);
        }
    }

    /**
     * Azure's instance metadata service: {@code GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=
     * <resource>} with {@code Metadata: true} answers the managed identity's access token as JSON
     * ({@code access_token}, {@code expires_on}, {@code resource}, {@code token_type}, ... all strings); without the
     * header, or on a VM without a managed identity, it answers 400 with an OAuth error.
     */
    static final class AzureImds extends StandIn {
        static final String PATH = "/metadata/identity/oauth2/token";
        final String tenant = UUID.randomUUID().toString();
        final String subscription = UUID.randomUUID().toString();
        volatile boolean identityAssigned = true;

        AzureImds() throws IOException, JOSEException {
        }

        /** The issuer its tokens name: the tenant's, as sts.windows.net/<tenant>/ names it. */
        String issuer() {
            return keys.url() + "/" + tenant + "/";
        }

        @Override
        void handle(HttpExchange exchange, Map<String, String> query) throws IOException, JOSEException {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                send(exchange, 404, "application/json", "{\"error\":\"Not found\"}");
                return;
            }
            if (!"true".equals(exchange.getRequestHeaders().getFirst("Metadata"))
                    || exchange.getRequestHeaders().containsKey("X-Forwarded-For")) {
                send(exchange, 400, "application/json; charset=utf-8",
                        "{\"error\":\"invalid_request\",\"error_description\":\"Required metadata header not specified\"}");
                return;
            }
            if (query.get("api-version") == null) {
                send(exchange, 400, "application/json; charset=utf-8",
                        "{\"error\":\"invalid_request\",\"error_description\":\"Required query variable 'api-version' is missing\"}");
                return;
            }
            if (!identityAssigned) {
                send(exchange, 400, "application/json; charset=utf-8",
                        "{\"error\":\"invalid_request\",\"error_description\":\"Identity not found\"}");
                return;
            }
            String resource = query.getOrDefault("resource", "");
            String principal = UUID.randomUUID().toString();
            String jwt = sign(FakePlatform.claims(issuer(), resource, Map.of("tid", tenant, "oid", principal,
                    "appid", "a1b2c3d4-0000-4000-8000-000000000001", "idtyp", "app", "xms_mirid", "/subscriptions/"
                            + subscription + "/resourcegroups/build-rg/providers/Microsoft.Compute/virtualMachines/build-1"))
                    .subject(principal));
            long now = Instant.now().getEpochSecond();
            Map<String, String> body = new LinkedHashMap<>();
            body.put("access_token", jwt);
            body.put("client_id", "a1b2c3d4-0000-4000-8000-000000000001");
            body.put("expires_in", "86399");
            body.put("expires_on", String.valueOf(now + 86399));
            body.put("ext_expires_in", "86399");
            body.put("not_before", String.valueOf(now));
            body.put("resource", resource);
            body.put("token_type", "Bearer");
            send(exchange, 200, "application/json; charset=utf-8", EventJson.write(body));
        }
    }
}
