package dev.sigil.join.admin;

import java.util.HexFormat;
import java.util.function.Supplier;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;

/**
 * Optimistic concurrency for the admin API. A resource's version (its ETag) is a digest of its JSON as the topic
 * holds it, so every replica computes the same one from the same record, and a write that changes nothing keeps it.
 *
 * <p>An update is a compare-and-set made under this replica's lock for the resource: read the topic up to its end
 * (so the version compared is the newest acknowledged one, whichever replica wrote it), compare it with
 * {@code If-Match}, write, and wait for Kafka's acknowledgement before the lock is let go. Within one replica, of
 * two updates with the same ETag exactly one wins and the other gets 409 VERSION_CONFLICT.
 *
 * <p>What remains between two replicas: a write by replica B that Kafka acknowledges after replica A asked where
 * the topic ends, and before A's own write is acknowledged, is not seen by A's comparison; both updates then
 * succeed and the later one in the log wins (last writer wins). The window is one catch-up read plus one
 * produce, a few milliseconds on a healthy cluster. Closing it needs a single writer per resource key (for example
 * a transactional producer whose id is derived from the key, so that a second replica fences the first), which the
 * issuer and output-writer would then have to read {@code read_committed}; not done yet.
 */
final class Versions {
    /** Enough stripes that two admins rarely wait for each other, few enough to allocate at start. */
    private static final Object[] LOCKS = new Object[256];

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
    }

    /** The quoted ETag of a resource as the admin API shows it. */
    static String etag(Object resource) {
        byte[] digest = RequestGuards.sha256(EventJson.write(resource));
        return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    }

    /** Runs a compare-and-set for one resource while no other on this replica runs for the same one. */
    static <R> R exclusively(String kind, String name, Supplier<R> compareAndSet) {
        synchronized (LOCKS[Math.floorMod((kind + "/" + name).hashCode(), LOCKS.length)]) {
            return compareAndSet.get();
        }
    }

    /** Refuses an update without If-Match (428) or with a version that is not the current one (409). */
    static void check(String ifMatch, Object current, String what) {
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new RefusalException(428, Refusal.VERSION_REQUIRED, "an update of " + what + " needs the header 'If-Match: "
                    + "<ETag>' with the ETag from GET; it is " + etag(current) + " now");
        }
        String now = etag(current);
        boolean matches = java.util.Arrays.stream(ifMatch.split(",")).map(String::trim)
                .map(tag -> tag.startsWith("W/") ? tag.substring(2) : tag).anyMatch(now::equals);
        if (!matches) {
            throw new RefusalException(409, Refusal.VERSION_CONFLICT, what + " was changed since you read it (ETag " + ifMatch.trim()
                    + ", now " + now + "); GET it again, reapply your change, and send it with the new ETag");
        }
    }

    private Versions() {
    }
}
