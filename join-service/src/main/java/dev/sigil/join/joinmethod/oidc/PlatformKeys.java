package dev.sigil.join.joinmethod.oidc;

import java.io.IOException;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

/**
 * One platform's published keys (its JWK set URL), read again every {@link #CACHE_FOR}. A token naming a key id
 * the cached set lacks makes it read the set again, so a key the platform has just rotated in is accepted on its
 * first use, while a flood of made-up key ids cannot turn into a flood of fetches. A re-read for an unknown key id
 * happens when the last read is older than {@link #REREAD_AFTER}, or when nobody has looked for that key id yet and
 * fewer than {@link #NEW_KID_REREADS} re-reads happened in the current {@link #WINDOW}. So one URL is fetched at most
 * about {@code NEW_KID_REREADS + WINDOW / REREAD_AFTER} times a window, and a key id already looked for in vain is
 * looked for again once the set is {@code REREAD_AFTER} old. (Nimbus's rate-limited source allows two re-reads per
 * 30 s, so two tokens with made-up key ids right before a rotation made the new key fail for up to 30 s.)
 */
final class PlatformKeys implements JWKSource<SecurityContext> {
    static final Duration CACHE_FOR = Duration.ofMinutes(15);
    static final Duration REREAD_AFTER = Duration.ofSeconds(10);
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int NEW_KID_REREADS = 5;
    private static final int TIMEOUT_MILLIS = 5_000;
    private static final int SIZE_LIMIT_BYTES = 256 * 1024;

    /** Reads the key set. */
    interface Fetch {
        JWKSet fetch() throws IOException, ParseException;
    }

    private final Fetch fetch;
    private final Clock clock;
    private final String description;
    private JWKSet keys;
    private Instant keysRead;
    private Instant lastAttempt = Instant.MIN;
    private Instant windowStart = Instant.MIN;
    private int rereadsInWindow;
    private final Set<String> lookedFor = new HashSet<>();

    PlatformKeys(Fetch fetch, Clock clock, String description) {
        this.fetch = fetch;
        this.clock = clock;
        this.description = description;
    }

    static PlatformKeys at(URL url, Clock clock) {
        return new PlatformKeys(() -> JWKSet.load(url, TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT_BYTES), clock, url.toString());
    }

    @Override
    public synchronized List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        Instant now = clock.instant();
        if (keys == null || !now.isBefore(keysRead.plus(CACHE_FOR))) {
            if (!now.isBefore(lastAttempt.plus(REREAD_AFTER))) {
                read(now);
            } else {
                // The last attempt failed moments ago: do not hammer a platform that is down.
                throw new KeySourceException("the last read of " + description + " at " + lastAttempt + " failed");
            }
        }
        List<JWK> found = selector.select(keys);
        if (found.isEmpty() && mayReread(keyId(selector), now)) {
            read(now);
            found = selector.select(keys);
        }
        return found;
    }

    /** Whether the cached set holds a key with this id (null: a token without a key id). */
    synchronized boolean publishes(String keyId) {
        return keys != null && (keyId == null ? !keys.isEmpty() : keys.getKeyByKeyId(keyId) != null);
    }

    private boolean mayReread(String keyId, Instant now) {
        if (!now.isBefore(windowStart.plus(WINDOW))) {
            windowStart = now;
            rereadsInWindow = 0;
            lookedFor.clear();
        }
        boolean stale = !now.isBefore(lastAttempt.plus(REREAD_AFTER));
        boolean newKeyId = !lookedFor.contains(keyId) && rereadsInWindow < NEW_KID_REREADS;
        if (!stale && !newKeyId) {
            return false;
        }
        rereadsInWindow++;
        lookedFor.add(keyId); // at most NEW_KID_REREADS + WINDOW / REREAD_AFTER ids a window
        return true;
    }

    private void read(Instant now) throws KeySourceException {
        lastAttempt = now;
        try {
            keys = fetch.fetch();
            keysRead = now;
        } catch (IOException | ParseException e) {
            throw new KeySourceException("reading " + description + " failed: " + e.getMessage(), e);
        }
    }

    private static String keyId(JWKSelector selector) {
        Set<String> ids = selector.getMatcher().getKeyIDs();
        return ids == null || ids.isEmpty() ? "" : String.join(",", ids);
    }
}
