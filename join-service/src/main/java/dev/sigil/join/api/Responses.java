package dev.sigil.join.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Refusal;

/**
 * How join-service answers: JSON written by the same {@link EventJson} as the events, and every refusal as
 * {@code {"code": ..., "message": ...}} with a fitting status.
 */
public final class Responses {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(Responses.class);

    public static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(EventJson.write(body)).build();
    }

    /** Reads a request body, refusing with 400 and the parser's reason when it is not the expected JSON. */
    public static <T> T read(String body, Class<T> type) {
        if (body != null && body.length() > RequestGuards.MAX_BODY_BYTES) {
            // Chunked bodies carry no Content-Length for RequestGuards to check up front.
            throw new RefusalException(413, Refusal.BODY_TOO_LARGE,
                    "the request body is over the limit of " + RequestGuards.MAX_BODY_BYTES + " bytes");
        }
        try {
            return EventJson.read(body, type);
        } catch (MalformedEventException e) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST,
                    "the request body is not valid JSON for " + type.getSimpleName() + " (" + e.getMessage() + ")");
        }
    }

    public static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the request needs a non-empty '" + field + "'");
        }
        return value;
    }

    /** The caller's request id if it sent one (a UUID, so retries are recognised), else a fresh one. */
    public static String requestId(String given) {
        if (given == null) {
            return java.util.UUID.randomUUID().toString();
        }
        try {
            return java.util.UUID.fromString(given.trim()).toString();
        } catch (IllegalArgumentException e) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "'requestId' must be a UUID; send the same one when retrying");
        }
    }

    static final long UNAVAILABLE_RETRY_AFTER = 2;

    static final class Mappers {
        /**
         * A value the request checks did not foresee (a null inside a list or map, a wrong kind of value) is still
         * the request's fault: answer 400 and log it, so it can get a check and a precise sentence of its own.
         */
        @ServerExceptionMapper({NullPointerException.class, IllegalArgumentException.class, ClassCastException.class})
        Response unusableValue(RuntimeException e) {
            LOG.warnf(e, "refusing a request with a value Sigil cannot use");
            return refusal(new RefusalException(400, Refusal.MALFORMED_REQUEST, "the request holds a value Sigil cannot "
                    + "use (an empty or null entry, or a value of the wrong kind); check it against the API's examples"));
        }

        @ServerExceptionMapper
        Response refusal(RefusalException e) {
            Response.ResponseBuilder builder = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(EventJson.write(e.refusal()));
            // Every 503 is worth retrying (an issuer restarting, the broker moving): say when.
            long retryAfter = e.retryAfterSeconds() > 0 ? e.retryAfterSeconds() : e.status() == 503 ? UNAVAILABLE_RETRY_AFTER : 0;
            if (retryAfter > 0) {
                builder.header("Retry-After", String.valueOf(retryAfter));
            }
            return builder.build();
        }
    }

    private Responses() {
    }
}
