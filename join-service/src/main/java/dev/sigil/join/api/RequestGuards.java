package dev.sigil.join.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sigil.contract.Refusal;
import dev.sigil.join.ratelimit.RateLimits;
import io.vertx.core.http.HttpServerRequest;

/**
 * Checks that run before any endpoint: the body size limit (by Content-Length, before the body is read; chunked
 * bodies are measured in {@link Responses#read}) and the admin bearer token.
 */
public class RequestGuards {
    public static final long MAX_BODY_BYTES = 64 * 1024;

    private final byte[] adminTokenDigest;
    private final RateLimits rateLimits;

    public RequestGuards(@ConfigProperty(name = "sigil.admin.token") String adminToken, RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        if (adminToken.isBlank() || adminToken.length() < 16) {
            throw new IllegalStateException("sigil.admin.token (SIGIL_ADMIN_TOKEN) must be set to a secret of at least 16 characters");
        }
        this.adminTokenDigest = sha256(adminToken);
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limitBodySize(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                && (length.length() > 12 || Long.parseLong(length) > MAX_BODY_BYTES)) {
            return Optional.of(new Responses.Mappers().refusal(new RefusalException(413, Refusal.BODY_TOO_LARGE,
                    "the request body is " + length + " bytes; the limit is " + MAX_BODY_BYTES + " bytes")));
        }
        return Optional.empty();
    }

    /** Public endpoints (joins, webhooks) are rate-limited per client address. */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limitClientRate(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/v1/") && !path.startsWith("/v1/admin")) {
            try {
                rateLimits.client(http.remoteAddress().hostAddress());
            } catch (RefusalException e) {
                return Optional.of(new Responses.Mappers().refusal(e));
            }
        }
        return Optional.empty();
    }

    @ServerRequestFilter
    public Optional<Response> requireAdminToken(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/v1/admin")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        // Comparing digests keeps the comparison constant-time and independent of the token's length.
        if (MessageDigest.isEqual(sha256(presented), adminTokenDigest)) {
            return Optional.empty();
        }
        return Optional.of(new Responses.Mappers().refusal(new RefusalException(401, Refusal.UNAUTHORIZED,
                "the admin API needs 'Authorization: Bearer <admin token>' with the token from sigil.admin.token")));
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
