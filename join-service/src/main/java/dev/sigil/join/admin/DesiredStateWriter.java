package dev.sigil.join.admin;

import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import dev.sigil.contract.BotSpec;
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
