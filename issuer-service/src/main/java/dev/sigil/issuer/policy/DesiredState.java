package dev.sigil.issuer.policy;

import java.util.Optional;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.RoleSpec;

/** Read access to the desired state the admin API published (bots, roles), as the issuer currently sees it. */
public interface DesiredState {
    Optional<BotSpec> bot(String name);

    Optional<RoleSpec> role(String name);
}
