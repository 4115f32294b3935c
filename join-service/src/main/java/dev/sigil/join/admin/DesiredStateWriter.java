package dev.sigil.join.admin;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.CaRotationRequest;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.RoleSpec;
import io.smallrye.reactive.messaging.kafka.Record;

/** Publishes admin writes to the compacted desired-state topics; a write is done when Kafka has acknowledged it. */
@ApplicationScoped
public class DesiredStateWriter {
    @Inject
    @Channel("bots-out")
    Emitter<Record<String, String>> bots;

    @Inject
    @Channel("roles-out")
    Emitter<Record<String, String>> roles;

    @Inject
    @Channel("join-tokens-out")
    Emitter<Record<String, String>> joinTokens;

    @Inject
    @Channel("locks-out")
    Emitter<Record<String, String>> locks;

    @Inject
    @Channel("deliveries-out")
    Emitter<Record<String, String>> deliveries;

    @Inject
    @Channel("leaf-clusters-out")
    Emitter<Record<String, String>> leafClusters;

    @Inject
    @Channel("ca-rotations-out")
    Emitter<Record<String, String>> rotations;

    /** Rotation requests share one key, so the issuer sees them in order. */
    public CompletionStage<Void> put(CaRotationRequest rotation) {
        return rotations.send(Record.of(CaBundle.KEY, EventJson.write(rotation)));
    }

    public CompletionStage<Void> put(LeafClusterSpec leaf) {
        return leafClusters.send(Record.of(leaf.name(), EventJson.write(leaf)));
    }

    public CompletionStage<Void> put(LockSpec lock) {
        return locks.send(Record.of(lock.target(), EventJson.write(lock)));
    }

    public CompletionStage<Void> put(DeliverySpec delivery) {
        return deliveries.send(Record.of(delivery.id(), EventJson.write(delivery)));
    }

    /** Tombstones: the compacted topics forget the key. */
    public CompletionStage<Void> removeJoinToken(String name) {
        return joinTokens.send(Record.of(name, null));
    }

    public CompletionStage<Void> removeLock(String target) {
        return locks.send(Record.of(target, null));
    }

    public CompletionStage<Void> removeDelivery(String id) {
        return deliveries.send(Record.of(id, null));
    }

    public CompletionStage<Void> removeBot(String name) {
        return bots.send(Record.of(name, null));
    }

    public CompletionStage<Void> removeRole(String name) {
        return roles.send(Record.of(name, null));
    }

    public CompletionStage<Void> removeLeafCluster(String name) {
        return leafClusters.send(Record.of(name, null));
    }

    public CompletionStage<Void> put(BotSpec bot) {
        return bots.send(Record.of(bot.name(), EventJson.write(bot)));
    }

    public CompletionStage<Void> put(RoleSpec role) {
        return roles.send(Record.of(role.name(), EventJson.write(role)));
    }

    public CompletionStage<Void> put(JoinTokenSpec token) {
        return joinTokens.send(Record.of(token.name(), EventJson.write(token)));
    }
}
