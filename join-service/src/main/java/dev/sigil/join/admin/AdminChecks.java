package dev.sigil.join.admin;

import java.time.Duration;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/** What makes a role, bot, leaf cluster or lock acceptable, the same whether it is created or updated. */
final class AdminChecks {
    /** A lock's reason is shown in every refusal it causes: one readable line. */
    static final int MAX_REASON = 500;

    static void role(RoleSpec role) {
        SpecNames.role(role);
        if (role.maxSessionTtl() != null && (role.maxSessionTtl().isNegative() || role.maxSessionTtl().isZero())) {
            throw malformed("maxSessionTtl must be positive, like 1h; it was " + role.maxSessionTtl()
                    + " (leave it out for no limit of the role's own)");
        }
    }

    static void bot(BotSpec bot) {
        SpecNames.bot(bot);
        if (bot.maxSessionTtl().compareTo(BotSpec.LIMIT_MAX_SESSION_TTL) > 0 || bot.maxSessionTtl().isNegative()
                || bot.maxSessionTtl().isZero()) {
            throw malformed("maxSessionTtl must be positive and at most 7 days (168h); it was " + bot.maxSessionTtl());
        }
    }

    static void leafCluster(LeafClusterSpec leaf) {
        SpecNames.require(Names.RESOURCE, leaf.name(), "name");
        if (!Responses.required(leaf.hostCa(), "hostCa").matches("(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+( .*)?")) {
            throw malformed("hostCa must be the leaf's SSH host CA public key in OpenSSH form (ssh-ed25519 AAAA...)");
        }
    }

    static String lockTarget(String target) {
        Responses.required(target, "target");
        if (!target.matches("(bot|join-token|instance):.*")) {
            throw malformed("a lock target is bot:<name>, join-token:<name> or instance:<id>; got '" + Names.printable(target) + "'");
        }
        SpecNames.require(Names.RESOURCE, target.substring(target.indexOf(':') + 1), "target");
        return target;
    }

    static String lockReason(String reason) {
        Responses.required(reason, "reason");
        if (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
            throw malformed("reason must be one line of at most " + MAX_REASON
                    + " characters: it is shown in every refusal the lock causes");
        }
        return reason;
    }

    static void positive(Duration ttl, String advice) {
        if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
            throw malformed(advice);
        }
    }

    static RefusalException malformed(String message) {
        return new RefusalException(400, Refusal.MALFORMED_REQUEST, message);
    }

    private AdminChecks() {
    }
}
