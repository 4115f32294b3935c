package dev.sigil.join.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.RoleSpec;

/**
 * What an admin should know about a bot as written, before it bites: Teleport Machine ID's known sharp edges,
 * said up front.
 */
final class BotWarnings {

    static List<String> of(BotSpec bot, RoleView roles) {
        List<String> warnings = new ArrayList<>();
        List<RoleSpec> known = bot.roles().stream().map(roles::find).flatMap(Optional::stream).toList();
        bot.roles().stream().filter(r -> roles.find(r).isEmpty()).forEach(r -> warnings.add("role '" + r
                + "' does not exist yet; issuance is refused until it does"));
        known.stream().filter(RoleSpec::requireSessionMfa).forEach(r -> warnings.add("role '" + r.name()
                + "' requires per-session MFA, which bots cannot satisfy: every output using it will be refused. "
                + "Enforce MFA on human roles only and give the bot a role without requireSessionMfa"));
        List<String> traitRoles = known.stream().filter(RoleSpec::usesLoginsTrait).map(RoleSpec::name).toList();
        if (!bot.trait("logins").isEmpty() && traitRoles.size() > 1) {
            warnings.add("the 'logins' trait " + bot.trait("logins") + " is granted to every output whose roles use "
                    + "{{internal.logins}} (" + String.join(", ", traitRoles) + "), so outputs asking for different role "
                    + "sets all get these logins; to keep outputs apart, give each a bespoke role with explicit logins");
        }
        return warnings;
    }

    private BotWarnings() {
    }
}
