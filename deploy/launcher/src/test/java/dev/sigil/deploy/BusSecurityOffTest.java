package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.Topics;

/**
 * The one way to run without bus security, for the benchmark that measures its cost: a plaintext broker that
 * authorizes nothing, and no bus CA made. (Only the broker: the services are left out.)
 */
class BusSecurityOffTest {
    @TempDir
    Path home;

    @Test
    void withBusSecurityOffThePlaintextBrokerTakesAnyClient() throws Exception {
        LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), home, "off.sigil.test").withBusSecurity(false);
        for (Service s : Service.values()) {
            cluster.withReplicas(s, 0);
        }
        try (cluster) {
            cluster.start();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(Topics.ISSUE_REQUESTS);
            }
            assertThat(cluster.kafkaClient()).containsOnlyKeys("bootstrap.servers");
            assertThat(Files.exists(home.resolve("bus"))).as("no bus CA is made").isFalse();
            assertThat(Files.readString(home.resolve("kafka/server.properties"))).doesNotContain("ssl.").doesNotContain("authorizer");
        }
    }
}
