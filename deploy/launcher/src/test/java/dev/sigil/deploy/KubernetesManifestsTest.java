package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.sigil.contract.Topics;

/**
 * The cluster manifests as {@code kubectl kustomize deploy/k8s} renders them: Kafka through Strimzi with a
 * KafkaTopic for every topic of the contract (compacted where the contract says), the services with health probes,
 * requests and disruption budgets, output-writer as a Deployment and a runner DaemonSet, the CA keys from a Secret,
 * and network policies that leave only join-service reachable and issuer-service reached by nothing.
 */
class KubernetesManifestsTest {
    private static List<Map<String, Object>> objects;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void render() throws Exception {
        Process kubectl = new ProcessBuilder("kubectl", "kustomize", LocalCluster.sourceRoot().resolve("deploy/k8s").toString())
                .redirectErrorStream(true).start();
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor()).as(yaml).isZero();
        objects = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            objects.add((Map<String, Object>) doc);
        }
    }

    @Test
    void everyTopicOfTheContractIsAKafkaTopicReplicatedThreeTimesAndCompactedWhereItHoldsState() {
        Map<String, Map<String, Object>> topics = of("KafkaTopic").stream()
                .collect(Collectors.toMap(t -> (String) at(t, "spec", "topicName"), t -> t));
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all().stream().map(Topics.Definition::name).toList());
        for (Topics.Definition topic : Topics.all()) {
            Map<String, Object> resource = topics.get(topic.name());
            assertThat(at(resource, "spec", "replicas")).as(topic.name()).isEqualTo(3);
            assertThat(at(resource, "spec", "config", "cleanup.policy")).as(topic.name()).isEqualTo(topic.compacted() ? "compact" : "delete");
        }
        assertThat(of("Kafka")).singleElement().satisfies(k -> assertThat(at(k, "spec", "kafka", "config", "min.insync.replicas")).isEqualTo(2));
        assertThat(of("KafkaNodePool")).singleElement().satisfies(p -> assertThat(at(p, "spec", "replicas")).isEqualTo(3));
    }

    @Test
    void everyServiceHasHealthProbesRequestsAndADisruptionBudget() {
        List<String> workloads = List.of("join-service", "issuer-service", "renewal-service", "output-writer");
        assertThat(of("Deployment").stream().map(KubernetesManifestsTest::name)).containsExactlyInAnyOrderElementsOf(workloads);
        for (Map<String, Object> deployment : of("Deployment")) {
            Map<String, Object> container = container(deployment);
            assertThat(at(container, "readinessProbe", "httpGet", "path")).as(name(deployment)).isEqualTo("/q/health/ready");
            assertThat(at(container, "livenessProbe", "httpGet", "path")).as(name(deployment)).isEqualTo("/q/health/live");
            assertThat(at(container, "resources", "requests", "cpu")).as(name(deployment)).isNotNull();
            assertThat(at(container, "resources", "requests", "memory")).as(name(deployment)).isNotNull();
            assertThat(at(deployment, "metadata", "namespace")).isEqualTo("sigil");
        }
        assertThat(of("PodDisruptionBudget").stream().map(p -> at(p, "spec", "selector", "matchLabels", "app.kubernetes.io/name")))
                .containsExactlyInAnyOrderElementsOf(workloads);
    }

    @Test
    void outputWriterRunsCentrallyForSecretsAndOnRunnerNodesForJobDirectories() {
        Map<String, Object> runner = of("DaemonSet").get(0);
        assertThat(at(runner, "spec", "template", "spec", "nodeSelector", "sigil.dev/runner")).isEqualTo("true");
        assertThat(at(runner, "spec", "template", "spec", "volumes").toString()).contains("hostPath").contains("/var/lib/sigil/jobs");
        assertThat(at(of("Role").get(0), "rules").toString()).contains("secrets").doesNotContain("delete").doesNotContain("list");
    }

    @Test
    void theCaKeysComeFromASecretAndOnlyJoinServiceIsExposed() {
        Map<String, Object> issuer = named("Deployment", "issuer-service");
        assertThat(at(issuer, "spec", "template", "spec", "volumes").toString()).contains("secretName=sigil-ca");
        assertThat(of("Service")).singleElement().satisfies(s -> assertThat(name(s)).isEqualTo("join-service"));

        Map<String, Object> issuerPolicy = named("NetworkPolicy", "issuer-service-kafka-only");
        assertThat((List<?>) at(issuerPolicy, "spec", "ingress")).as("nothing reaches issuer-service").isEmpty();
        assertThat(at(issuerPolicy, "spec", "policyTypes").toString()).contains("Ingress").contains("Egress");
        assertThat(at(issuerPolicy, "spec", "egress").toString()).contains("strimzi.io/cluster=sigil");
        Map<String, Object> deny = named("NetworkPolicy", "default-deny");
        assertThat(at(deny, "spec", "podSelector")).isEqualTo(Map.of());
        assertThat(at(named("NetworkPolicy", "join-service-public"), "spec", "ingress").toString()).contains("port=8443")
                .doesNotContain("9080");
    }

    private static List<Map<String, Object>> of(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private static Map<String, Object> named(String kind, String name) {
        return of(kind).stream().filter(o -> name.equals(name(o))).findFirst().orElseThrow(() -> new AssertionError(kind + " " + name + " is missing"));
    }

    private static String name(Map<String, Object> object) {
        return (String) at(object, "metadata", "name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> container(Map<String, Object> workload) {
        return ((List<Map<String, Object>>) at(workload, "spec", "template", "spec", "containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> object, String... path) {
        Object current = object;
        for (String key : path) {
            current = current == null ? null : ((Map<String, Object>) current).get(key);
        }
        return current;
    }
}
