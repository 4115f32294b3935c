package dev.sigil.join.admin;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.RoleSpec;

/** This replica's view of {@code sigil.roles}, read from the beginning at every start, for the admin API's warnings. */
@ApplicationScoped
public class RoleView {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RoleView.class);
    private final Map<String, RoleSpec> roles = new ConcurrentHashMap<>();

    @Incoming("roles")
    public void apply(ConsumerRecord<String, String> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            roles.remove(record.key());
        } else {
            try {
                roles.put(record.key(), EventJson.read(record.value(), RoleSpec.class));
            } catch (MalformedEventException e) {
                // Never let one record stop this consumer (and join-service's liveness): treat it as absent.
                roles.remove(record.key());
                LOG.warnf("ignoring an unreadable record on %s: %s", record.topic(), Names.printable(e.getMessage()));
            }
        }
    }

    void remember(RoleSpec role) {
        roles.put(role.name(), role);
    }

    public Optional<RoleSpec> find(String name) {
        return Optional.ofNullable(roles.get(name));
    }
}
