package dev.sigil.join.admins;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.admin.AdminViews;
import dev.sigil.join.admin.BotInstanceView;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.renew.CurrentIdentity;
import io.vertx.core.http.HttpServerRequest;

/**
 * Who may use the admin API: an admin (a bot named in {@code sigil.admins}) that presents its bot certificate over
 * mutual TLS, or a console session made with one. The certificate must chain to a bot CA trusted now (so a CA
 * rotation moves admins along with every other bot), be valid now, and neither the bot, its instance nor its join
 * token may be locked; the admin must hold the role {@link AdminRules} names for the request.
 */
public class AdminAccess {
    static final String CONSOLE_COOKIE = "sigil-console";
    static final String CONSOLE_HEADER = "X-Sigil-Console";
    private static final String LOG_IN = "present your admin certificate: run `sigil login`";
    private static final java.util.Set<String> READS = java.util.Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    AdminTable table;
    @Inject
    CurrentIdentity identities;
    @Inject
    ConsoleSessions sessions;
    @Inject
    CurrentAdmin current;
    @Inject
    AdminViews views;
    @Inject
    BotInstanceView instances;

    // readBody: a write's target bot may be named only in its body (a new bot's name, a join token's bot).
    @ServerRequestFilter(readBody = true)
    public Optional<Response> authorise(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/v1/admin") && !path.startsWith("/v1/admin/")) {
            return Optional.empty();
        }
        try {
            String method = request.getMethod();
            Admin admin = authenticate(request, http, method);
            current.set(admin, null); // so a body refused below is audited as this admin's
            JsonNode body = body(request, method);
            current.set(admin, AdminRules.target(path, body));
            String needed = AdminRules.roleNeeded(method, path);
            String why = "";
            for (String bot : botsConcerned(method, path, body)) {
                if (table.admin(bot).isPresent()) {
                    needed = AdminSpec.CA_ADMIN;
                    why = " (bot '" + bot + "' is an admin's)";
                    break;
                }
            }
            if (!admin.spec().has(needed)) {
                throw new RefusalException(403, Refusal.ADMIN_ROLE_MISSING, method + " " + path + " needs the admin role "
                        + needed + why + "; admin '" + admin.name() + "' has " + admin.spec().roles()
                        + ": ask a ca-admin to add the role (sigil admins add " + admin.name() + " --role " + needed + ")");
            }
            return Optional.empty();
        } catch (RefusalException e) {
            return Optional.of(refused(e));
        }
    }

    /**
     * Every bot a write concerns: the one it names (the new bot of a token or delivery), and the current bot of each
     * existing token, delivery or instance it reaches by name, so an admin's cannot be re-pointed, deleted or locked
     * (nor its lock lifted) by reaching it by id.
     */
    java.util.Set<String> botsConcerned(String method, String path, JsonNode body) {
        java.util.Set<String> bots = new java.util.LinkedHashSet<>();
        AdminRules.botConcerned(method, path, body).ifPresent(bots::add);
        for (AdminRules.Reference reference : AdminRules.references(method, path, body)) {
            switch (reference.kind()) {
                case AdminRules.Reference.TOKEN -> {
                    views.tokenBot(reference.name()).ifPresent(bots::add);
                    instances.catchUp();
                    bots.addAll(instances.botsJoinedWith(reference.name()));
                }
                case AdminRules.Reference.DELIVERY -> views.deliveryBot(reference.name()).ifPresent(bots::add);
                case AdminRules.Reference.INSTANCE -> {
                    instances.catchUp();
                    instances.botOf(reference.name()).ifPresent(bots::add);
                }
                default -> throw new IllegalStateException(reference.kind());
            }
        }
        return bots;
    }

    /** The admin behind the request, by certificate or else by console cookie. */
    private Admin authenticate(ContainerRequestContext request, HttpServerRequest http, String method) {
        Optional<X509Certificate> certificate = clientCertificate(http);
        if (certificate.isPresent()) {
            CurrentIdentity.Presented presented;
            try {
                presented = identities.inspect(certificate.get());
            } catch (RefusalException e) {
                if (e.status() == 503) {
                    throw e;
                }
                throw new RefusalException(401, Refusal.ADMIN_UNAUTHENTICATED, LOG_IN + " again: " + e.refusal().message());
            }
            current.attempted(presented.bot(), Admin.CERTIFICATE);
            return admitted(presented.bot(), presented.instance().instanceId(), presented.instance().joinToken(),
                    Admin.CERTIFICATE, presented.certificate().getNotAfter().toInstant());
        }
        Cookie cookie = request.getCookies().get(CONSOLE_COOKIE);
        if (cookie != null) {
            ConsoleSessions.Session session = sessions.session(cookie.getValue()).orElseThrow(() -> new RefusalException(401,
                    Refusal.ADMIN_UNAUTHENTICATED, "the console session ended or expired; open a new one with `sigil console`"));
            current.attempted(session.admin(), Admin.CONSOLE);
            // A page elsewhere cannot set this header on a request to Sigil without CORS, which Sigil never grants.
            if (!List.of("GET", "HEAD", "OPTIONS").contains(method) && !"1".equals(request.getHeaderString(CONSOLE_HEADER))) {
                throw new RefusalException(403, Refusal.CONSOLE_HEADER_MISSING, "a console session writes only with the header '"
                        + CONSOLE_HEADER + ": 1', which the console sends; a request from another site cannot");
            }
            return admitted(session.admin(), session.instanceId(), session.joinToken(), Admin.CONSOLE, session.expires());
        }
        throw new RefusalException(401, Refusal.ADMIN_UNAUTHENTICATED, LOG_IN);
    }

    /** The admin as the admins table and the locks say now. */
    Admin admitted(String bot, String instanceId, String joinToken, String via, Instant expires) {
        AdminSpec spec = table.admin(bot).orElseThrow(() -> new RefusalException(403, Refusal.ADMIN_ROLE_MISSING,
                "bot '" + bot + "' is not an admin and holds no admin role (read-only is the least); a ca-admin adds it "
                        + "with `sigil admins add " + bot + " --role read-only` (POST /v1/admin/admins)"));
        List<String> targets = new java.util.ArrayList<>(List.of(LockSpec.bot(bot)));
        if (instanceId != null) {
            targets.add(LockSpec.instance(instanceId));
        }
        if (joinToken != null) {
            targets.add(LockSpec.joinToken(joinToken));
        }
        table.lockOn(targets).ifPresent(lock -> {
            throw new RefusalException(403, Refusal.LOCKED, "admin '" + bot + "' is locked (" + lock.target() + "): "
                    + lock.reason());
        });
        return new Admin(spec, instanceId, joinToken, via, expires);
    }

    private static Optional<X509Certificate> clientCertificate(HttpServerRequest http) {
        SSLSession session = http.sslSession();
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // no certificate presented
        }
    }

    /**
     * The JSON body, read here and put back for the endpoint; null when there is none (or, for a read, when it is not
     * JSON). It is parsed as exactly the text the endpoint gets (the bytes as UTF-8, the endpoints' charset), and a write
     * whose body this cannot parse, or parses ambiguously, is refused: the admin-bot rule must see what the endpoint sees.
     */
    static JsonNode body(ContainerRequestContext request, String method) {
        if (!request.hasEntity()) {
            return null;
        }
        boolean read = READS.contains(method);
        try {
            byte[] bytes = request.getEntityStream().readAllBytes();
            request.setEntityStream(new ByteArrayInputStream(bytes));
            MediaType type = request.getMediaType();
            String charset = type == null ? null : type.getParameters().get(MediaType.CHARSET_PARAMETER);
            if (charset != null && !charset.equalsIgnoreCase("utf-8") && !read) {
                throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "an admin request body must be UTF-8 JSON; got charset "
                        + dev.sigil.contract.Names.printable(charset));
            }
            return bytes.length == 0 ? null : parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            if (read) {
                return null;
            }
            if (e instanceof RefusalException refusal) {
                throw refusal;
            }
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the request body is not valid JSON (one object, "
                    + "each field once, UTF-8)");
        }
    }

    /** Strict: a duplicate field or text after the value could read differently here and in the endpoint. */
    static JsonNode parse(String text) throws IOException {
        return STRICT.readTree(text);
    }

    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = EventJson.MAPPER.reader()
            .with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static Response refused(RefusalException e) {
        Response.ResponseBuilder builder = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(EventJson.write(e.refusal()));
        if (e.status() == 503) {
            builder.header("Retry-After", "2");
        }
        return builder.build();
    }
}
