package dev.sigil.issuer.policy;

import java.util.Optional;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;

/** Read access to the desired state the admin API published (bots, roles, locks), as the issuer currently sees it. */
public interface DesiredState {
    Optional<BotSpec> bot(String name);

    Optional<RoleSpec> role(String name);

    /** The lock on a target ({@code bot:x}, {@code join-token:y}, {@code instance:z}), if one is written. */
    Optional<LockSpec> lock(String target);

    /** A registered leaf cluster. */
    Optional<LeafClusterSpec> leafCluster(String name);
}
