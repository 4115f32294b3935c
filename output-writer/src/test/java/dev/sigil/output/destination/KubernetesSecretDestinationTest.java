package dev.sigil.output.destination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Against fabric8's Kubernetes mock server in CRUD mode, which keeps objects and checks resourceVersion on update. */
@EnableKubernetesMockClient(crud = true)
class KubernetesSecretDestinationTest {
    KubernetesClient client;
    KubernetesMockServer server;

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
    void aWriteThatLostARaceReadsTheSecretAgainAndWritesOnTopOfTheWinner() throws Exception {
        client.secrets().inNamespace("ci").resource(new SecretBuilder().withNewMetadata().withName("s").withNamespace("ci")
                .endMetadata().addToData("tls.crt", b64("cert-1")).build()).create();
        // Another writer (an operator, another replica) changes the Secret after the destination read it and before it writes.
        var racer = new ChangeBetweenReadAndWrite(() -> client.secrets().inNamespace("ci").withName("s")
                .edit(s -> new SecretBuilder(s).addToData("tls.crt", b64("cert-from-the-other-writer"))
                        .addToData("other", b64("theirs")).build()));

        try (KubernetesClient slow = racer.client(server)) {
            racer.arm();
            new KubernetesSecretDestination(slow, "ci", "s").write(List.of(new OutputFile("tls.crt", "cert-2", false)));
        }

        assertThat(decode(client.secrets().inNamespace("ci").withName("s").get().getData()))
                .containsEntry("tls.crt", "cert-2").containsEntry("other", "theirs");
        assertThat(racer.conflicts()).as("the API server answered 409 to the write at the version read before the race")
                .isEqualTo(1);
    }

    @Test
    void twoWritersOfDifferentKeysInterleavedNeverLoseAWrite() throws Exception {
        int rounds = 8;
        BlockingQueue<Integer> go = new SynchronousQueue<>();
        BlockingQueue<Integer> done = new SynchronousQueue<>();
        AtomicInteger round = new AtomicInteger();
        // In every round writer b writes its whole key between writer a's read and a's write: the lost update
        // a writer that ignored resourceVersion would make, every time rather than by chance.
        var a = new ChangeBetweenReadAndWrite(() -> {
            int r = round.get();
            if (!go.offer(r, 10, TimeUnit.SECONDS) || done.poll(10, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("writer b did not write in round " + r);
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (KubernetesClient aClient = a.client(server); KubernetesClient bClient = server.createClient()) {
            Future<Integer> writerB = pool.submit(() -> {
                var destination = new KubernetesSecretDestination(bClient, "ci", "shared");
                for (int i = 0; i < rounds; i++) {
                    Integer r = go.poll(10, TimeUnit.SECONDS);
                    if (r == null) {
                        throw new IllegalStateException("writer a never read in round " + i);
                    }
                    destination.write(List.of(new OutputFile("b" + r + "/tls.crt", "cert-b" + r, false)));
                    done.put(r);
                }
                return rounds;
            });
            var destination = new KubernetesSecretDestination(aClient, "ci", "shared");
            for (int r = 0; r < rounds; r++) {
                round.set(r);
                a.arm();
                destination.write(List.of(new OutputFile("a" + r + "/tls.crt", "cert-a" + r, false)));
            }
            assertThat(writerB.get(30, TimeUnit.SECONDS)).isEqualTo(rounds);
        } finally {
            pool.shutdownNow();
        }

        Map<String, String> data = decode(client.secrets().inNamespace("ci").withName("shared").get().getData());
        for (int r = 0; r < rounds; r++) {
            assertThat(data).as("round %d", r).containsEntry("a" + r + ".tls.crt", "cert-a" + r)
                    .containsEntry("b" + r + ".tls.crt", "cert-b" + r);
        }
        assertThat(data).hasSize(2 * rounds);
        // Round 0 races two creates (409 AlreadyExists), every later round two updates (409 Conflict).
        assertThat(a.conflicts()).as("writer a lost the race and was told so in every round").isEqualTo(rounds);
    }

    /**
     * A client whose next request after reading the Secret waits while {@code between} runs: the window in which a
     * concurrent writer changes the Secret. Armed for one write at a time; it counts the 409s the server answers.
     */
    private static final class ChangeBetweenReadAndWrite implements Interceptor {
        interface Step {
            void run() throws Exception;
        }

        private final Step between;
        private final AtomicBoolean armed = new AtomicBoolean();
        private final AtomicBoolean read = new AtomicBoolean();
        private final AtomicInteger conflicts = new AtomicInteger();

        ChangeBetweenReadAndWrite(Step between) {
            this.between = between;
        }

        KubernetesClient client(KubernetesMockServer server) {
            return server.createClient(b -> b.withHttpClientBuilderConsumer(h -> h.addOrReplaceInterceptor("race", this)));
        }

        void arm() {
            armed.set(true);
            read.set(false);
        }

        int conflicts() {
            return conflicts.get();
        }

        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (!armed.get()) {
                return;
            }
            // Whatever follows the read (the write, or anything else a client does before it) waits for the change.
            if (!read.get()) {
                read.set(request.method().equals("GET"));
            } else if (armed.compareAndSet(true, false)) {
                try {
                    between.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
            if (response.code() == 409) {
                conflicts.incrementAndGet();
            }
        }
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
