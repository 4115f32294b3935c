package dev.sigil.contract;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What issuer-service knows of a bot instance, on {@code sigil.bot-instances} (compacted, keyed by instance id):
 * its current generation, why it is locked if it is, and its most recent authentications, newest last.
 */
public record BotInstanceStatus(String bot, BotInstance instance, String lockedReason, List<Authentication> recentAuthentications) {
    public static final int RECENT = 10;

    /** One join or renewal of the instance, with the address it came from when join-service passed it on. */
    public record Authentication(Instant at, String kind, String joinMethod, long generation, String requestId, String host) {
        public Authentication(Instant at, String kind, String joinMethod, long generation, String requestId) {
            this(at, kind, joinMethod, generation, requestId, null);
        }
    }

    public BotInstanceStatus {
        recentAuthentications = recentAuthentications == null ? List.of() : List.copyOf(recentAuthentications);
    }

    /** The status after another authentication, keeping the last {@link #RECENT}. */
    public BotInstanceStatus authenticated(BotInstance now, Authentication authentication) {
        List<Authentication> recent = new ArrayList<>(recentAuthentications);
        recent.add(authentication);
        return new BotInstanceStatus(bot, now, lockedReason,
                recent.subList(Math.max(0, recent.size() - RECENT), recent.size()));
    }

    public BotInstanceStatus locked(String reason) {
        return new BotInstanceStatus(bot, instance, reason, recentAuthentications);
    }
}
