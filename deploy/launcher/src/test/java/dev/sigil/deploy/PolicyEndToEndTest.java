package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;


/** Roles, locks and their warnings through the admin API and real issuance. */
@ExtendWith(SigilCluster.class)
class PolicyEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void aRoleDemandingSessionMfaWarnsAtBotCreationAndRefusesIssuance(LocalCluster cluster) throws Exception {
        String name = unique("mfa");
        AdminClient admin = Bots.admin(cluster);
        admin.post("/v1/admin/roles", Map.of("name", name + "-role", "logins", List.of("root"), "requireSessionMfa", true));
        JsonNode bot = admin.post("/v1/admin/bots", Map.of("name", name, "roles", List.of(name + "-role")));

        assertThat(bot.get("warnings").toString()).contains("per-session MFA").contains("human roles only");
        Bots.Answer join = Bots.join(cluster, admin.createToken(name, "10m"), Bots.newPublicKey());
        assertThat(join.status()).isEqualTo(403);
        assertThat(join.code()).isEqualTo("MFA_REQUIRED");
    }

    @Test
    void loginsFromATraitSharedByRolesAreCalledOut(LocalCluster cluster) throws Exception {
        String name = unique("trait");
        AdminClient admin = Bots.admin(cluster);
        admin.createRole(name + "-a", List.of("{{internal.logins}}"));
        admin.createRole(name + "-b", List.of("{{internal.logins}}", "audit"));
        JsonNode bot = admin.createBot(name, List.of(name + "-a", name + "-b"), List.of("deploy"));

        assertThat(bot.get("warnings").toString()).contains("'logins' trait [deploy]").contains("bespoke role");
        assertThat(admin.createBot(unique("single"), List.of(name + "-b"), List.of("deploy")).get("warnings")).isEmpty();
    }

    @Test
    void aLockedBotIsRefusedWithinASecondAndAgainServedWhenUnlocked(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        AdminClient admin = Bots.admin(cluster);
        Deque<String> tokens = new ArrayDeque<>();
        for (int i = 0; i < 30; i++) {
            tokens.add(admin.createToken(bot, "10m"));
        }
        admin.post("/v1/admin/locks", Map.of("target", "bot:" + bot, "reason", "runner compromised, see INC-42"));

        Bots.Answer refused = await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50))
                .until(() -> Bots.join(cluster, tokens.pop(), Bots.newPublicKey()), a -> a.status() == 403);
        assertThat(refused.code()).isEqualTo("LOCKED");
        assertThat(refused.body().get("message").asText()).contains("runner compromised, see INC-42");

        HttpResponse<String> unlocked = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN)
                .resolve("/v1/admin/locks/bot:" + bot)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unlocked.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> Bots.join(cluster, tokens.pop(), Bots.newPublicKey()).status() == 200);
    }

    @Test
    void certificatesPermitOnlyTheForwardingTheRolesAllow(LocalCluster cluster) throws Exception {
        String name = unique("fwd");
        AdminClient admin = Bots.admin(cluster);
        admin.post("/v1/admin/roles", Map.of("name", name + "-role", "logins", List.of("deploy"),
                "sshOptions", Map.of("agentForwarding", true, "portForwarding", false)));
        admin.createBot(name, List.of(name + "-role"), List.of());
        Bots.Answer joined = Bots.join(cluster, admin.createToken(name, "10m"), Bots.newPublicKey());

        Path cert = Files.writeString(dir.resolve("cert.pub"), joined.body().at("/identity/sshCertificate").asText());
        assertThat(Bots.run("ssh-keygen", "-L", "-f", cert.toString()).output())
                .contains("permit-agent-forwarding").doesNotContain("permit-port-forwarding").doesNotContain("X11");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

}
