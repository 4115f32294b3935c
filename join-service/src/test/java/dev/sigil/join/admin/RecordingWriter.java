package dev.sigil.join.admin;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.CaRotationRequest;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;

/** A desired-state writer that keeps what it was asked to write, in order, instead of sending it to Kafka. */
public class RecordingWriter extends DesiredStateWriter {
    /** Everything written: the specs, and "remove <kind> <key>" for tombstones. */
    public final List<Object> writes = new CopyOnWriteArrayList<>();

    public <T> List<T> puts(Class<T> type) {
        return writes.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public List<String> removals() {
        return writes.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }

    private CompletionStage<Void> keep(Object write) {
        writes.add(write);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> put(CaRotationRequest rotation) {
        return keep(rotation);
    }

    @Override
    public CompletionStage<Void> put(LeafClusterSpec leaf) {
        return keep(leaf);
    }

    @Override
    public CompletionStage<Void> put(LockSpec lock) {
        return keep(lock);
    }

    @Override
    public CompletionStage<Void> put(DeliverySpec delivery) {
        return keep(delivery);
    }

    @Override
    public CompletionStage<Void> removeJoinToken(String name) {
        return keep("remove join-token " + name);
    }

    @Override
    public CompletionStage<Void> removeLock(String target) {
        return keep("remove lock " + target);
    }

    @Override
    public CompletionStage<Void> removeDelivery(String id) {
        return keep("remove delivery " + id);
    }

    @Override
    public CompletionStage<Void> put(BotSpec bot) {
        return keep(bot);
    }

    @Override
    public CompletionStage<Void> put(RoleSpec role) {
        return keep(role);
    }

    @Override
    public CompletionStage<Void> put(JoinTokenSpec token) {
        return keep(token);
    }
}
