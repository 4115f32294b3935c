package dev.sigil.join.admin;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;

/** This replica's view of {@code sigil.bot-instances}, for admins investigating a bot. */
@ApplicationScoped
public class BotInstanceView {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(BotInstanceView.class);
    private final Map<String, BotInstanceStatus> instances = new ConcurrentHashMap<>();

    @Incoming("bot-instances")
    public void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            instances.remove(record.key());
        } else {
            try {
                instances.put(record.key(), EventJson.read(record.value(), BotInstanceStatus.class));
            } catch (MalformedEventException e) {
                // Never let one record stop this consumer (and join-service's liveness): treat it as absent.
                instances.remove(record.key());
                LOG.warnf("ignoring an unreadable record on %s: %s", record.topic(), Names.printable(e.getMessage()));
            }
        }
    }

    public List<BotInstanceStatus> of(String bot) {
        return instances.values().stream().filter(i -> bot == null || bot.equals(i.bot()))
                .sorted(Comparator.comparing(i -> i.instance().instanceId())).toList();
    }
}
