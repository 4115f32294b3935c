package dev.sigil.join.admins;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;

/**
 * Web console sessions. An admin with its certificate asks for a console link (a one-time secret, valid
 * {@link #LINK_LIFE}); the browser exchanges it for a session cookie valid {@link #SESSION_LIFE}, or less if the
 * admin's certificate ends sooner. Only SHA-256 digests of both secrets are kept, and only in this replica's memory:
 * a restart ends every session, and with several join-service replicas the link must be exchanged, and the session
 * used, on the replica that made it (sticky routing).
 */
@Singleton
public class ConsoleSessions {
    public static final Duration LINK_LIFE = Duration.ofSeconds(60);
    public static final Duration SESSION_LIFE = Duration.ofHours(1);
    /** Links not used yet, per admin: plenty for a person, and a looping script cannot fill this replica's memory. */
    public static final int MAX_LIVE_LINKS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A link not used yet, for the admin who asked for it. */
    record Link(byte[] digest, String admin, String instanceId, String joinToken, Instant certificateExpires, Instant expires) {
    }

    /** A console session: the admin it speaks for (its roles are looked up at each request) and when it ends. */
    public record Session(byte[] digest, String admin, String instanceId, String joinToken, Instant expires) {
    }

    /** A session just made, with the cookie's secret (shown once, in Set-Cookie). */
    public record Opened(String secret, Session session) {
    }

    private final Clock clock;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    @Inject
    public ConsoleSessions() {
        this(Clock.systemUTC());
    }

    ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** A new one-time link secret for the admin. */
    public synchronized String newLink(Admin admin) {
        sweep();
        long live = links.values().stream().filter(l -> l.admin().equals(admin.name())).count();
        if (live >= MAX_LIVE_LINKS) {
            throw new RefusalException(429, Refusal.RATE_LIMITED, "admin '" + admin.name() + "' has " + live
                    + " console links not used yet, the most there may be; open one of them, or wait "
                    + LINK_LIFE.toSeconds() + " s for them to expire");
        }
        String secret = secret();
        Instant now = clock.instant();
        links.put(key(secret), new Link(digest(secret), admin.name(), admin.instanceId(), admin.joinToken(),
                admin.expires(), now.plus(LINK_LIFE)));
        return secret;
    }

    /** Uses the link (once, whatever the outcome) and opens a session, unless it is unknown or expired. */
    public Optional<Opened> exchange(String link) {
        sweep();
        if (link == null) {
            return Optional.empty();
        }
        Link found = links.remove(key(link));
        Instant now = clock.instant();
        if (found == null || !MessageDigest.isEqual(found.digest(), digest(link)) || !now.isBefore(found.expires())
                || !now.isBefore(found.certificateExpires())) {
            return Optional.empty();
        }
        Instant end = now.plus(SESSION_LIFE);
        if (found.certificateExpires().isBefore(end)) {
            end = found.certificateExpires();
        }
        String secret = secret();
        Session session = new Session(digest(secret), found.admin(), found.instanceId(), found.joinToken(), end);
        sessions.put(key(secret), session);
        return Optional.of(new Opened(secret, session));
    }

    /** The session a cookie's secret opens, while it lasts. */
    public Optional<Session> session(String secret) {
        if (secret == null) {
            return Optional.empty();
        }
        Session session = sessions.get(key(secret));
        if (session == null || !MessageDigest.isEqual(session.digest(), digest(secret))) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(session.expires())) {
            sessions.remove(key(secret));
            return Optional.empty();
        }
        return Optional.of(session);
    }

    public void end(String secret) {
        if (secret != null) {
            sessions.remove(key(secret));
        }
    }

    private void sweep() {
        Instant now = clock.instant();
        links.values().removeIf(l -> !now.isBefore(l.expires()));
        sessions.values().removeIf(s -> !now.isBefore(s.expires()));
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] digest(String secret) {
        return RequestGuards.sha256(secret);
    }

    private static String key(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }
}
