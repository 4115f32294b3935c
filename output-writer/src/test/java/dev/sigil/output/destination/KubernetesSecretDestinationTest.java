package dev.sigil.output.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;

/** Against fabric8's Kubernetes mock server in CRUD mode, which keeps objects and checks resourceVersion on update. */
@EnableKubernetesMockClient(crud = true)
class KubernetesSecretDestinationTest {
    KubernetesClient client;

    @Test
    void createsTheSecretThenUpdatesItKeepingKeysItDidNotWrite() throws Exception {
        var destination = new KubernetesSecretDestination(client, "ci", "bot-identity");
        destination.write(List.of(new OutputFile("tls.crt", "cert-1", false), new OutputFile("cockroach/node.key", "key-1", true)));
        Secret created = client.secrets().inNamespace("ci").withName("bot-identity").get();
        assertThat(created.getMetadata().getLabels()).containsEntry(KubernetesSecretDestination.MANAGED_BY, "sigil");
        assertThat(decode(created.getData())).containsEntry("tls.crt", "cert-1").containsEntry("cockroach.node.key", "key-1");

        client.secrets().inNamespace("ci").resource(new SecretBuilder(created).addToData("other", b64("theirs")).build()).update();
        destination.write(List.of(new OutputFile("tls.crt", "cert-2", false)));

        assertThat(decode(client.secrets().inNamespace("ci").withName("bot-identity").get().getData()))
                .containsEntry("tls.crt", "cert-2").containsEntry("other", "theirs").containsEntry("cockroach.node.key", "key-1");
    }

    @Test
    void refusesAStaleResourceVersionSoLostUpdatesAreRetried() {
        new KubernetesSecretDestination(client, "ci", "s");
        Secret secret = client.secrets().inNamespace("ci").resource(new SecretBuilder().withNewMetadata().withName("s")
                .withNamespace("ci").endMetadata().addToData("a", b64("1")).build()).create();
        client.secrets().inNamespace("ci").resource(new SecretBuilder(secret).addToData("a", b64("2")).build()).update();

        // What a second writer that read before the update would send: the mock server answers 409, as the API server does.
        var stale = new SecretBuilder(secret).addToData("a", b64("3")).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.secrets().inNamespace("ci").resource(stale).update())
                .isInstanceOfSatisfying(io.fabric8.kubernetes.client.KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(409));
    }

    @Test
    void twoConcurrentWritersNeverLoseAWriteOrMixTwoRenderings() throws Exception {
        int writes = 40;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> writers = new ArrayList<>();
        for (String writer : List.of("a", "b")) {
            Callable<Integer> work = () -> {
                var destination = new KubernetesSecretDestination(client, "ci", "shared");
                for (int i = 0; i < writes; i++) {
                    String generation = writer + i;
                    destination.write(List.of(new OutputFile("tls.crt", "cert-" + generation, false),
                            new OutputFile("tls.key", "key-" + generation, true)));
                }
                return writes;
            };
            writers.add(pool.submit(work));
        }
        for (Future<Integer> writer : writers) {
            assertThat(writer.get()).isEqualTo(writes);
        }
        pool.shutdown();

        Map<String, String> data = decode(client.secrets().inNamespace("ci").withName("shared").get().getData());
        String generation = data.get("tls.crt").substring("cert-".length());
        assertThat(generation).isIn(List.of("a" + (writes - 1), "b" + (writes - 1)));
        assertThat(data.get("tls.key")).isEqualTo("key-" + generation);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> decode(Map<String, String> data) {
        Map<String, String> decoded = new java.util.HashMap<>();
        data.forEach((k, v) -> decoded.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return decoded;
    }
}
