package dev.sigil.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/**
 * A small client of join-service's admin API, for the launcher's demo and the tests: it speaks as the launcher's
 * admin (a ca-admin bootstrapped at cluster start), presenting that admin's certificate over mutual TLS.
 */
public final class AdminClient {
    private final LocalCluster cluster;
    private final URI base;

    public AdminClient(LocalCluster cluster) {
        this.cluster = cluster;
        this.base = cluster.url(Service.JOIN);
    }

    public JsonNode createRole(String name, List<String> logins) throws IOException, InterruptedException {
        return post("/v1/admin/roles", Map.of("name", name, "logins", logins));
    }

    public JsonNode createBot(String name, List<String> roles, List<String> logins) throws IOException, InterruptedException {
        return post("/v1/admin/bots", Map.of("name", name, "roles", roles, "traits", Map.of("logins", logins)));
    }

    /** Creates a single-use join token and returns its secret. */
    public String createToken(String bot, String ttl) throws IOException, InterruptedException {
        return post("/v1/admin/tokens", Map.of("bot", bot, "ttl", ttl)).get("token").asText();
    }

    public JsonNode post(String path, Object body) throws IOException, InterruptedException {
        HttpResponse<String> response = http().send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.write(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return EventJson.MAPPER.readTree(response.body());
    }

    public void delete(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http().send(HttpRequest.newBuilder(base.resolve(path)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("DELETE " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http().send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return EventJson.MAPPER.readTree(response.body());
    }

    /** A request to the admin API carrying this admin's credentials, for what the methods here do not cover (streams). */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path));
    }

    /** The launcher admin's client (a new one after {@link LocalCluster#renewAdminIdentity}). */
    public HttpClient http() {
        return cluster.httpClient();
    }

    /** Asks output-writer to keep one output of a bot fresh in a directory. */
    public JsonNode createDelivery(String id, String bot, String kind, String path, String ttl) throws IOException, InterruptedException {
        return post("/v1/admin/deliveries", Map.of("id", id, "bot", bot, "output", Map.of("kind", kind),
                "destination", Map.of("type", "directory", "path", path), "ttl", ttl));
    }
}
