package dev.sigil.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates Sigil's topics on a broker; used by the local launcher and the tests (clusters use KafkaTopic resources). */
public final class TopicSetup {

    public static void ensureTopics(String bootstrapServers, int partitions, short replicationFactor) {
        ensureTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), partitions, replicationFactor);
    }

    /** As above, with an admin client's settings (bootstrap servers and a bus identity allowed to create topics). */
    public static void ensureTopics(Map<String, ?> client, int partitions, short replicationFactor) {
        Object bootstrapServers = client.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(new java.util.HashMap<String, Object>(client))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = Topics.all().stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), partitions, replicationFactor).configs(t.configs()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create Sigil topics on " + bootstrapServers + ": " + e.getCause(), e);
        }
    }

    private TopicSetup() {
    }
}
