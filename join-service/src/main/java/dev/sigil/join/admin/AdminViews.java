package dev.sigil.join.admin;

import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;
import dev.sigil.contract.Topics;
import io.quarkus.runtime.Startup;

/** The admin API's views of the desired-state topics, each read whole from the beginning at start and followed. */
@Startup
@Singleton
public class AdminViews implements AutoCloseable {
    final SpecView<RoleSpec> roles;
    final SpecView<BotSpec> bots;
    final SpecView<JoinTokenSpec> tokens;
    final SpecView<LockSpec> locks;
    final SpecView<LeafClusterSpec> leafClusters;
    final SpecView<DeliverySpec> deliveries;

    public AdminViews(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        roles = new SpecView<>(bootstrapServers, Topics.ROLES, RoleSpec.class);
        bots = new SpecView<>(bootstrapServers, Topics.BOTS, BotSpec.class);
        tokens = new SpecView<>(bootstrapServers, Topics.JOIN_TOKENS, JoinTokenSpec.class);
        locks = new SpecView<>(bootstrapServers, Topics.LOCKS, LockSpec.class);
        leafClusters = new SpecView<>(bootstrapServers, Topics.LEAF_CLUSTERS, LeafClusterSpec.class);
        deliveries = new SpecView<>(bootstrapServers, Topics.DELIVERIES, DeliverySpec.class);
    }

    /** The bot a join token is for now, if it exists (read after catching up). */
    public Optional<String> tokenBot(String name) {
        tokens.catchUp();
        return tokens.find(name).map(JoinTokenSpec::bot);
    }

    /** The bot a delivery delivers now, if it exists (read after catching up). */
    public Optional<String> deliveryBot(String id) {
        deliveries.catchUp();
        return deliveries.find(id).map(DeliverySpec::bot);
    }

    /** The names of a bot's join tokens now (read after catching up). */
    public java.util.List<String> tokensOf(String bot) {
        tokens.catchUp();
        return tokens.all(t -> bot.equals(t.bot())).stream().map(JoinTokenSpec::name).toList();
    }

    @PreDestroy
    @Override
    public void close() {
        for (SpecView<?> view : new SpecView<?>[] { roles, bots, tokens, locks, leafClusters, deliveries }) {
            view.close();
        }
    }
}
