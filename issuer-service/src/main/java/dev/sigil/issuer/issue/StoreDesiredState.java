package dev.sigil.issuer.issue;

import java.util.Optional;

import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.RoleSpec;
import dev.sigil.issuer.policy.DesiredState;

/** Desired state read from the global stores that mirror {@code sigil.bots}, {@code sigil.roles} and {@code sigil.locks}. */
final class StoreDesiredState implements DesiredState {
    private static final Logger LOG = Logger.getLogger(StoreDesiredState.class);

    private final ReadOnlyKeyValueStore<String, String> bots;
    private final ReadOnlyKeyValueStore<String, String> roles;
    private final ReadOnlyKeyValueStore<String, String> locks;
    private final ReadOnlyKeyValueStore<String, String> leafClusters;
    private final ReadOnlyKeyValueStore<String, String> joinTokens;

    StoreDesiredState(ReadOnlyKeyValueStore<String, String> bots, ReadOnlyKeyValueStore<String, String> roles,
            ReadOnlyKeyValueStore<String, String> locks, ReadOnlyKeyValueStore<String, String> leafClusters,
            ReadOnlyKeyValueStore<String, String> joinTokens) {
        this.joinTokens = joinTokens;
        this.bots = bots;
        this.roles = roles;
        this.locks = locks;
        this.leafClusters = leafClusters;
    }

    @Override
    public Optional<LeafClusterSpec> leafCluster(String name) {
        return read(leafClusters, name, LeafClusterSpec.class);
    }

    @Override
    public Optional<LockSpec> lock(String target) {
        String json = target == null ? null : locks.get(target);
        if (json != null && read(locks, target, LockSpec.class).isEmpty()) {
            // A lock record nobody can read still says someone meant to lock: fail closed.
            return Optional.of(new LockSpec(target, "its lock record on sigil.locks is unreadable; an admin must "
                    + "remove or rewrite the lock", null));
        }
        return read(locks, target, LockSpec.class);
    }

    @Override
    public Optional<JoinTokenSpec> joinToken(String name) {
        return read(joinTokens, name, JoinTokenSpec.class);
    }

    @Override
    public Optional<BotSpec> bot(String name) {
        return read(bots, name, BotSpec.class);
    }

    @Override
    public Optional<RoleSpec> role(String name) {
        return read(roles, name, RoleSpec.class);
    }

    private static <T> Optional<T> read(ReadOnlyKeyValueStore<String, String> store, String key, Class<T> type) {
        String json = key == null ? null : store.get(key);
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(EventJson.read(json, type));
        } catch (MalformedEventException e) {
            // The admin API only writes valid specs; a bad record is treated as absent rather than crashing issuance.
            LOG.warnf("ignoring unreadable %s '%s': %s", type.getSimpleName(), key, e.getMessage());
            return Optional.empty();
        }
    }
}
