package dev.sigil.join.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.sigil.contract.Refusal;
import dev.sigil.join.ratelimit.RateLimits;
import io.vertx.core.http.HttpServerRequest;

/**
 * Checks that run before any endpoint: the body size limit (by Content-Length, before the body is read; chunked
 * bodies are measured in {@link Responses#read}) and the per-client rate limit. Admin requests are authenticated by
 * {@code dev.sigil.join.admins.AdminAccess}.
 */
public class RequestGuards {
    public static final long MAX_BODY_BYTES = 64 * 1024;

    private final RateLimits rateLimits;

    public RequestGuards(RateLimits rateLimits) {
        this.rateLimits = rateLimits;
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

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
