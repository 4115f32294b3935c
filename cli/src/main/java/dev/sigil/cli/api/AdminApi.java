package dev.sigil.cli.api;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.cli.identity.AdminIdentity;
import dev.sigil.contract.EventJson;

/** join-service's admin API, called over mTLS with the admin's identity. Non-2xx answers become {@link ApiRefusal}. */
public final class AdminApi {
    /** The largest page the API gives; {@code ls} follows {@code next} until the end. */
    private static final int PAGE = 1000;

    private final HttpClient http;
    private final URI base;

    public AdminApi(URI base, HttpClient http) {
        this.base = base;
        this.http = http;
    }

    /** The API as the logged-in admin (renewing the identity first when due). */
    public static AdminApi connect() throws Exception {
        AdminIdentity identity = AdminIdentity.current();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .sslContext(identity.sslContext()).build();
        return new AdminApi(URI.create(identity.profile().joinUrl()), http);
    }

    /** An answer's JSON and, for a single resource, its ETag. */
    public record Answer(JsonNode body, String etag) {
    }

    public JsonNode get(String path) throws IOException, InterruptedException, ApiRefusal {
        return send(request(path).GET()).body();
    }

    public Answer getWithVersion(String path) throws IOException, InterruptedException, ApiRefusal {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) throws IOException, InterruptedException, ApiRefusal {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.write(body)))).body();
    }

    /** Replaces a resource only if it is still at {@code etag} (else 409 VERSION_CONFLICT). */
    public JsonNode put(String path, Object body, String etag) throws IOException, InterruptedException, ApiRefusal {
        return send(request(path).header("Content-Type", "application/json").header("If-Match", etag)
                .PUT(HttpRequest.BodyPublishers.ofString(EventJson.write(body)))).body();
    }

    public JsonNode delete(String path) throws IOException, InterruptedException, ApiRefusal {
        return send(request(path).DELETE()).body();
    }

    /**
     * Every item of a list, page after page: {@code {"items": [...], "next": null}}, as one page of the API looks.
     * A list endpoint that answers with a bare array (an older join-service) is taken as one page.
     */
    public JsonNode list(String kind, Map<String, String> filters) throws IOException, InterruptedException, ApiRefusal {
        ArrayNode items = EventJson.MAPPER.createArrayNode();
        ObjectNode all = EventJson.MAPPER.createObjectNode();
        String after = null;
        do {
            Map<String, String> query = new LinkedHashMap<>(filters);
            query.put("limit", String.valueOf(PAGE));
            if (after != null) {
                query.put("after", after);
            }
            JsonNode page = get("/v1/admin/" + kind + query(query));
            if (page.isArray()) {
                items.addAll((ArrayNode) page);
                break;
            }
            if (after == null) {
                // what the first page says besides its items (the fleet's totals)
                page.fields().forEachRemaining(f -> all.set(f.getKey(), f.getValue()));
            }
            page.path("items").forEach(items::add);
            JsonNode next = page.path("next");
            after = next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
        } while (after != null);
        all.set("items", items);
        all.putNull("next");
        return all;
    }

    /** Server-sent events from {@code path}: each event's data, as a stream of lines, until the server ends it. */
    public Stream<String> events(String path) throws IOException, InterruptedException, ApiRefusal {
        HttpResponse<Stream<String>> response = http.send(request(path).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() / 100 != 2) {
            String body = String.join("\n", (Iterable<String>) response.body()::iterator);
            throw refusal(response.statusCode(), body);
        }
        return response.body().filter(line -> line.startsWith("data:")).map(line -> line.substring(5).trim());
    }

    public static String path(String... segments) {
        StringBuilder path = new StringBuilder();
        for (String segment : segments) {
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }

    public static String query(Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> {
            if (value != null) {
                query.append(query.length() == 0 ? '?' : '&').append(name).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return query.toString();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException, ApiRefusal {
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body());
        }
        String body = response.body();
        JsonNode json = body == null || body.isBlank() ? EventJson.MAPPER.createObjectNode() : EventJson.MAPPER.readTree(body);
        return new Answer(json, response.headers().firstValue("ETag").orElse(null));
    }

    private static ApiRefusal refusal(int status, String body) {
        try {
            JsonNode refusal = EventJson.MAPPER.readTree(body);
            if (refusal.hasNonNull("code")) {
                return new ApiRefusal(status, refusal.get("code").asText(), refusal.path("message").asText());
            }
        } catch (IOException | RuntimeException e) {
            // not a refusal body: described below
        }
        return new ApiRefusal(status, "HTTP_" + status, "join-service answered " + status + " without a reason"
                + (status == 401 || status == 403 ? "; is the identity in ~/.sigil an admin's? (sigil status)" : ""));
    }
}
