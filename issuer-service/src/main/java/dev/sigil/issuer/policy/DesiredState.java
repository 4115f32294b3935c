package dev.sigil.issuer.policy;

import java.util.Optional;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;

/** Read access to the desired state the admin API published (bots, roles, locks), as the issuer currently sees it. */
public interface DesiredState {
    Optional<BotSpec> bot(String name);

    Optional<RoleSpec> role(String name);

    /** The lock on a target ({@code bot:x}, {@code join-token:y}, {@code instance:z}), if one is written. */
    Optional<LockSpec> lock(String target);

    /** A join token on {@code sigil.join-tokens}: which bot and join method it vouches for, until when. */
    Optional<JoinTokenSpec> joinToken(String name);

    /** A registered leaf cluster. */
    Optional<LeafClusterSpec> leafCluster(String name);
}
