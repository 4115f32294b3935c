package dev.sigil.join.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;

/**
 * Every admin endpoint that creates something refuses a name that breaks its grammar with 400, the field and the
 * rule, and writes nothing; well-formed names (templates, globs) still go through.
 */
class AdminNamesTest {
    private static final String LOGIN_RULE = "a POSIX user name";
    private final RecordingWriter writer = new RecordingWriter();
    private final AdminResource admin = new AdminResource();

    AdminNamesTest() {
        admin.writer = writer;
        admin.roles = new RoleView();
        admin.tokens = new JoinTokenView();
    }

    @Test
    void roleLoginsThatAreNotPosixUserNamesAreRefusedWithTheRule() {
        refused(admin::putRole, role(Map.of("logins", List.of("root,admin"))), "logins", "'root,admin'", LOGIN_RULE);
        refused(admin::putRole, role(Map.of("logins", List.of("a\nb"))), "logins", "'a\\u000ab'", LOGIN_RULE);
        refused(admin::putRole, role(Map.of("logins", List.of("-oProxyCommand=x"))), "logins", LOGIN_RULE);
        refused(admin::putRole, role(Map.of("logins", List.of(""))), "logins", LOGIN_RULE);
        assertThat(writer.writes).isEmpty();
    }

    @Test
    void loginTemplatesMustBeWellFormed() {
        refused(admin::putRole, role(Map.of("logins", List.of("{{internal.logins"))), "login template", "{{internal.<trait>}}");
        refused(admin::putRole, role(Map.of("logins", List.of("{{internal.logins}}{{external.team}}"))), "at most one template");
        refused(admin::putRole, role(Map.of("logins", List.of("{{internal.logins}},root"))), "login template", LOGIN_RULE);
        refused(admin::putRole, role(Map.of("logins", List.of("{{internal.a b}}"))), "login template");
        assertThat(writer.writes).isEmpty();

        assertThat(created(admin.putRole(role(Map.of("logins", List.of("{{internal.logins}}", "{{ external.team }}",
                "ci-{{external.team}}", "deploy")))))).isEqualTo(201);
        assertThat(writer.puts(RoleSpec.class)).singleElement().satisfies(r -> assertThat(r.logins()).hasSize(4));
    }

    @Test
    void roleAllowancesAreCheckedWithTheGrammarOfWhatTheyAllow() {
        refused(admin::putRole, role(Map.of("spiffePaths", List.of("/svc/a b"))), "spiffePaths", "SPIFFE");
        refused(admin::putRole, role(Map.of("spiffePaths", List.of("/svc/../admin"))), "spiffePaths", "'..'");
        refused(admin::putRole, role(Map.of("databaseUsers", List.of("#300000"))), "databaseUsers", "'#300000'");
        refused(admin::putRole, role(Map.of("databases", List.of("pg main"))), "databases");
        refused(admin::putRole, role(Map.of("apps", List.of("app\u202eevil"))), "apps", "\\u202e");
        refused(admin::putRole, role(Map.of("sshHostNames", List.of("-host.example.com"))), "sshHostNames", "RFC 1123");
        refused(admin::putRole, role(Map.of("kubernetesGroups", List.of("system masters"))), "kubernetesGroups");
        refused(admin::putRole, role(Map.of("kubernetesUsers", List.of("*"))), "kubernetesUsers");
        refused(admin::putRole, role(Map.of("name", "access role")), "name");
        assertThat(writer.writes).isEmpty();

        assertThat(created(admin.putRole(role(Map.of("spiffePaths", List.of("/svc/*"), "databaseUsers", List.of("read*"),
                "apps", List.of("*"), "sshHostNames", List.of("*.example.com"),
                "kubernetesGroups", List.of("system:masters")))))).isEqualTo(201);
    }

    @Test
    void aBotsLoginsTraitMustHoldLogins() {
        refused(admin::putBot, bot(Map.of("traits", Map.of("logins", List.of("root,admin")))), "traits.logins", "'root,admin'", LOGIN_RULE);
        refused(admin::putBot, bot(Map.of("traits", Map.of("logins", List.of("a\nb")))), "traits.logins", LOGIN_RULE);
        // Traits only ever expand into logins, through {{external.<trait>}}.
        refused(admin::putBot, bot(Map.of("traits", Map.of("team", List.of("ops team")))), "traits.team", LOGIN_RULE);
        refused(admin::putBot, bot(Map.of("traits", Map.of("bad trait", List.of("ops")))), "traits");
        refused(admin::putBot, bot(Map.of("roles", List.of("access", "../admin"))), "roles");
        refused(admin::putBot, bot(Map.of("name", "ci\nbot")), "name");
        assertThat(writer.writes).isEmpty();

        assertThat(created(admin.putBot(bot(Map.of("traits", Map.of("logins", List.of("deploy", "_svc", "ci.runner-1"))))))).isEqualTo(201);
        assertThat(writer.puts(BotSpec.class)).singleElement().satisfies(b -> assertThat(b.trait("logins")).hasSize(3));
    }

    @Test
    void joinTokensLocksAndLeafClustersNameOnlyValidThings() {
        refused(admin::createToken, json(Map.of("bot", "ci/../x")), "bot");
        refused(admin::createToken, json(Map.of("bot", "ci", "name", "gh deploy", "joinMethod", "github")), "name");
        refused(admin::lock, json(Map.of("target", "bot:../etc", "reason", "x")), "target");
        refused(admin::lock, json(Map.of("target", "instance:a\nb", "reason", "x")), "target");
        refused(admin::lock, json(Map.of("target", "bot:ci", "reason", "line one\nline two")), "reason");
        refused(admin::putLeafCluster, json(Map.of("name", "leaf one", "hostCa", "ssh-ed25519 AAAA")), "name");
        assertThat(writer.writes).isEmpty();

        assertThat(created(admin.lock(json(Map.of("target", "bot:ci", "reason", "compromised runner"))))).isEqualTo(201);
        assertThat(writer.puts(LockSpec.class)).singleElement().extracting(LockSpec::target).isEqualTo("bot:ci");
    }

    @Test
    void deliveriesGoWhereTheirNamesAndPathsSay() {
        refused(admin::putDelivery, delivery(d -> d.path("/var/lib/../etc")), "destination.path", "'..'");
        refused(admin::putDelivery, delivery(d -> d.path("relative/dir")), "destination.path", "absolute");
        refused(admin::putDelivery, delivery(d -> d.path("/opt/id\nx")), "destination.path");
        refused(admin::putDelivery, delivery(d -> d.readers(List.of("user:root,admin"))), "destination.readers", LOGIN_RULE);
        refused(admin::putDelivery, delivery(d -> d.readers(List.of("other:x"))), "destination.readers");
        refused(admin::putDelivery, delivery(d -> d.node("runner_7")), "node", "RFC 1123");
        refused(admin::putDelivery, delivery(d -> d.secret("Ci_Kubeconfig", null)), "destination.name", "RFC 1123");
        refused(admin::putDelivery, delivery(d -> d.secret("ci-kubeconfig", "ci.prod")), "destination.namespace", "RFC 1123");
        refused(admin::putDelivery, delivery(d -> d.output(Map.of("kind", "workload-identity-x509", "spiffePath", "/svc/a b"))),
                "output", "SPIFFE");
        refused(admin::putDelivery, delivery(d -> d.output(Map.of("kind", "database", "databaseService", "pg",
                "databaseUser", "#300000"))), "output", "'#300000'");
        refused(admin::putDelivery, delivery(d -> d.id("job 1")), "id");
        refused(admin::putDelivery, delivery(d -> d.server("https://k8s.example.com\nuser: x")), "kubernetesServer");
        assertThat(writer.writes).isEmpty();

        assertThat(created(admin.putDelivery(delivery(d -> d.readers(List.of("user:deploy", "group:ci")).node("runner-7"))))).isEqualTo(201);
        assertThat(created(admin.putDelivery(delivery(d -> d.id("kubeconfig").secret("ci-kubeconfig", "ci")
                .server("https://k8s.example.com:6443"))))).isEqualTo(201);
        assertThat(writer.puts(DeliverySpec.class)).hasSize(2);
    }

    // ---- helpers

    private static void refused(Function<String, ?> endpoint, String body, String... messageParts) {
        assertThatThrownBy(() -> endpoint.apply(body)).as(body).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.refusal().code()).isEqualTo("MALFORMED_REQUEST");
            assertThat(e.refusal().message()).contains(messageParts);
        });
    }

    private static int created(java.util.concurrent.CompletionStage<Response> answer) {
        return answer.toCompletableFuture().join().getStatus();
    }

    private static String role(Map<String, Object> fields) {
        Map<String, Object> role = new java.util.HashMap<>(Map.of("name", "access", "logins", List.of("deploy")));
        role.putAll(fields);
        return EventJson.write(role);
    }

    private static String bot(Map<String, Object> fields) {
        Map<String, Object> bot = new java.util.HashMap<>(Map.of("name", "ci", "roles", List.of("access")));
        bot.putAll(fields);
        return EventJson.write(bot);
    }

    private static String json(Map<String, Object> fields) {
        return EventJson.write(fields);
    }

    private static String delivery(Function<Delivery, Delivery> change) {
        return EventJson.write(change.apply(new Delivery()).fields);
    }

    /** A directory delivery of an identity, changed one field at a time. */
    private static final class Delivery {
        final Map<String, Object> fields = new java.util.HashMap<>(Map.of("id", "deploy-identity", "bot", "ci",
                "output", Map.of("kind", "identity"), "destination", new java.util.HashMap<>(Map.of("type", "directory",
                        "path", "/opt/machine-id"))));

        @SuppressWarnings("unchecked")
        private Map<String, Object> destination() {
            return (Map<String, Object>) fields.get("destination");
        }

        Delivery id(String id) {
            fields.put("id", id);
            return this;
        }

        Delivery path(String path) {
            destination().put("path", path);
            return this;
        }

        Delivery readers(List<String> readers) {
            destination().put("readers", readers);
            return this;
        }

        Delivery node(String node) {
            fields.put("node", node);
            return this;
        }

        Delivery output(Map<String, Object> output) {
            fields.put("output", output);
            return this;
        }

        Delivery server(String server) {
            fields.put("kubernetesServer", server);
            return this;
        }

        Delivery secret(String name, String namespace) {
            destination().clear();
            destination().put("type", "kubernetes_secret");
            destination().put("name", name);
            if (namespace != null) {
                destination().put("namespace", namespace);
            }
            return this;
        }
    }
}
