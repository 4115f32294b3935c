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
    @SuppressWarnings("unchecked")
    void everyWorkloadRunsTheImageDeployContainersBuildsForThisVersion() {
        String version = System.getProperty("sigil.version");
        assertThat(version).isNotBlank();
        for (Map<String, Object> deployment : of("Deployment")) {
            assertThat(container(deployment).get("image")).isEqualTo("localhost/sigil/" + name(deployment) + ":" + version);
        }
        assertThat(container(of("DaemonSet").get(0)).get("image")).isEqualTo("localhost/sigil/output-writer:" + version);
        List<Object> images = new ArrayList<>();
        for (Map<String, Object> workload : objects.stream().filter(o -> List.of("Deployment", "DaemonSet").contains(o.get("kind"))).toList()) {
            for (String containers : List.of("containers", "initContainers")) {
                Object list = at(workload, "spec", "template", "spec", containers);
                if (list != null) {
                    ((List<Map<String, Object>>) list).forEach(c -> images.add(c.get("image")));
                }
            }
        }
        assertThat(images).isNotEmpty().allSatisfy(image -> assertThat((String) image)
                .matches("localhost/sigil/(issuer-service|join-service|renewal-service|output-writer):" + java.util.regex.Pattern.quote(version)));
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

    @Test
    @SuppressWarnings("unchecked")
    void kafkaSpeaksMutualTlsOnlyAndAuthorizesByAcls() {
        Map<String, Object> kafka = of("Kafka").get(0);
        List<Map<String, Object>> listeners = (List<Map<String, Object>>) at(kafka, "spec", "kafka", "listeners");
        assertThat(listeners).isNotEmpty().allSatisfy(l -> {
            assertThat(l.get("tls")).as("listener " + l.get("name")).isEqualTo(true);
            assertThat(at(l, "authentication", "type")).as("listener " + l.get("name")).isEqualTo("tls");
        });
        assertThat(at(kafka, "spec", "kafka", "authorization", "type")).isEqualTo("simple");
        assertThat((List<String>) at(kafka, "spec", "kafka", "authorization", "superUsers")).containsExactly("CN=" + BusAcls.ADMIN);
        assertThat(at(named("ConfigMap", "sigil-config"), "data", "KAFKA_BOOTSTRAP_SERVERS").toString()).endsWith(":9093");
    }

    @Test
    void everyServiceHasAKafkaUserWithTheAclsOfTheTableAndMountsItsSecret() throws Exception {
        for (String service : BusAcls.SERVICES) {
            Map<String, Object> user = named("KafkaUser", service);
            assertThat(at(user, "spec", "authentication", "type")).isEqualTo("tls");
            assertThat(acls(user)).as(service).containsExactlyInAnyOrderElementsOf(BusAcls.of(service));
            Map<String, Object> deployment = named("Deployment", service);
            assertThat(at(deployment, "spec", "template", "spec", "volumes").toString()).as(service)
                    .contains("name=" + service + "}").contains("path=user.key").contains("sigil-cluster-ca-cert");
            assertThat(container(deployment).get("volumeMounts").toString()).as(service).contains("mountPath=/etc/sigil/bus");
        }
        assertThat(at(named("ConfigMap", "sigil-config"), "data", "SIGIL_SERVICE_IDENTITY_DIR")).isEqualTo("/etc/sigil/bus");
        assertThat(at(named("KafkaUser", BusAcls.ADMIN), "spec", "authorization")).as("a super user needs no ACLs").isNull();
        // A runner node's writer: its KafkaUser is made per node from this template.
        String template = java.nio.file.Files.readString(LocalCluster.sourceRoot().resolve("deploy/k8s/runner-node/kafka-user.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, Object> nodeUser = (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(template.replace("NODE_NAME", "runner-7"));
        assertThat(name(nodeUser)).isEqualTo(BusAcls.nodeWriter("runner-7"));
        assertThat(acls(nodeUser)).containsExactlyInAnyOrderElementsOf(BusAcls.of(BusAcls.nodeWriter("runner-7")));
        assertThat(at(of("DaemonSet").get(0), "spec", "template", "spec", "volumes").toString()).contains("/etc/sigil/bus-identity");
    }

    /** A KafkaUser's ACLs as grants of the table: one per resource and operation. */
    @SuppressWarnings("unchecked")
    private static List<BusAcls.Grant> acls(Map<String, Object> user) {
        List<BusAcls.Grant> grants = new ArrayList<>();
        for (Map<String, Object> acl : (List<Map<String, Object>>) at(user, "spec", "authorization", "acls")) {
            Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
            org.apache.kafka.common.resource.ResourceType type = switch ((String) resource.get("type")) {
                case "topic" -> org.apache.kafka.common.resource.ResourceType.TOPIC;
                case "group" -> org.apache.kafka.common.resource.ResourceType.GROUP;
                case "transactionalId" -> org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
                case "cluster" -> org.apache.kafka.common.resource.ResourceType.CLUSTER;
                default -> throw new AssertionError("unknown resource type " + resource.get("type"));
            };
            org.apache.kafka.common.resource.PatternType pattern = "prefix".equals(resource.get("patternType"))
                    ? org.apache.kafka.common.resource.PatternType.PREFIXED : org.apache.kafka.common.resource.PatternType.LITERAL;
            for (String operation : (List<String>) acl.get("operations")) {
                grants.add(new BusAcls.Grant(name(user), type, (String) resource.get("name"), pattern,
                        org.apache.kafka.common.acl.AclOperation.fromString(operation.replaceAll("([a-z])([A-Z])", "$1_$2"))));
            }
        }
        return grants;
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
