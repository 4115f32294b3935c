package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import dev.sigil.join.joinmethod.FakePlatform;

/** CI platform webhooks (GitHub, GitLab) through the real services: signed deliveries register, unsigned or replayed ones do not. */
@ExtendWith(SigilCluster.class)
class WebhookEndToEndTest {

    @BeforeAll
    static void acmeRole(LocalCluster cluster) throws Exception {
        Bots.admin(cluster).createRole("acme-access", List.of("{{internal.logins}}"));
        Bots.admin(cluster).createBot("acme-ci", List.of("acme-access"), List.of("runner"));
    }

    @Test
    void aNewRepositoryGetsAJoinTokenForExactlyThatRepository(LocalCluster cluster) throws Exception {
        String repo = "acme/app-" + UUID.randomUUID().toString().substring(0, 6);
        Bots.Answer registered = github(cluster, "repository", repositoryEvent("created", repo), SigilCluster.GITHUB_WEBHOOK_SECRET);
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(202);
        String tokenName = tokenName(registered);

        assertThat(githubJoin(cluster, tokenName, repo).status()).isEqualTo(200);
        assertThat(githubJoin(cluster, tokenName, "acme/other").code()).isEqualTo("ALLOW_RULES_NOT_MATCHED");
    }

    @Test
    void badOrMissingSignaturesAreRefusedAndRegisterNothing(LocalCluster cluster) throws Exception {
        String repo = "acme/forged-" + UUID.randomUUID().toString().substring(0, 6);
        String body = repositoryEvent("created", repo);
        Bots.Answer forged = github(cluster, "repository", body, "not-the-secret");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.code()).isEqualTo("WEBHOOK_BAD_SIGNATURE");

        Bots.Answer unsigned = post(cluster, "/v1/webhooks/github", body, Map.of("X-GitHub-Event", "repository",
                "X-GitHub-Delivery", UUID.randomUUID().toString()));
        assertThat(unsigned.status()).isEqualTo(401);

        Bots.Answer gitlabForged = post(cluster, "/v1/webhooks/gitlab", "{\"event_name\":\"project_create\",\"path_with_namespace\":\"acme-group/x\"}",
                Map.of("X-Gitlab-Token", "wrong", "X-Gitlab-Event-UUID", UUID.randomUUID().toString()));
        assertThat(gitlabForged.status()).isEqualTo(401);

        // Only the properly signed delivery below ever wrote the repository's token.
        Bots.Answer signed = github(cluster, "repository", body, SigilCluster.GITHUB_WEBHOOK_SECRET);
        assertThat(Bots.records(cluster, Topics.JOIN_TOKENS, tokenName(signed))).hasSize(1);
    }

    @Test
    void aRetriedDeliveryRegistersOnce(LocalCluster cluster) throws Exception {
        String repo = "acme/retried-" + UUID.randomUUID().toString().substring(0, 6);
        String body = repositoryEvent("created", repo);
        String delivery = UUID.randomUUID().toString();

        Bots.Answer first = github(cluster, "repository", body, SigilCluster.GITHUB_WEBHOOK_SECRET, delivery);
        Bots.Answer retry = github(cluster, "repository", body, SigilCluster.GITHUB_WEBHOOK_SECRET, delivery);

        assertThat(first.status()).isEqualTo(202);
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body().get("status").asText()).isEqualTo("duplicate");
        assertThat(Bots.records(cluster, Topics.JOIN_TOKENS, tokenName(first))).hasSize(1);
    }

    @Test
    void aDeletedRepositoryLosesItsTokenAndTheTokenIsLocked(LocalCluster cluster) throws Exception {
        String repo = "acme/short-lived-" + UUID.randomUUID().toString().substring(0, 6);
        String tokenName = tokenName(github(cluster, "repository", repositoryEvent("created", repo), SigilCluster.GITHUB_WEBHOOK_SECRET));
        assertThat(githubJoin(cluster, tokenName, repo).status()).isEqualTo(200);

        assertThat(github(cluster, "repository", repositoryEvent("deleted", repo), SigilCluster.GITHUB_WEBHOOK_SECRET).status()).isEqualTo(202);

        assertThat(githubJoin(cluster, tokenName, repo).code()).isEqualTo("TOKEN_NOT_FOUND");
        List<String> locks = Bots.records(cluster, Topics.LOCKS, "join-token:" + tokenName);
        assertThat(locks).isNotEmpty();
        assertThat(locks.get(locks.size() - 1)).contains("was deleted");

        // Created again: the token comes back, but a webhook never lifts a lock; only an admin does.
        assertThat(github(cluster, "repository", repositoryEvent("created", repo), SigilCluster.GITHUB_WEBHOOK_SECRET).status()).isEqualTo(202);
        assertThat(githubJoin(cluster, tokenName, repo).code()).isEqualTo("LOCKED");
        assertThat(Bots.records(cluster, Topics.LOCKS, "join-token:" + tokenName)).doesNotContainNull();
    }

    @Test
    void aGitlabProjectRegistersWithTheGroupsToken(LocalCluster cluster) throws Exception {
        String project = "acme-group/svc-" + UUID.randomUUID().toString().substring(0, 6);
        Bots.Answer answer = post(cluster, "/v1/webhooks/gitlab",
                EventJson.write(Map.of("event_name", "project_create", "path_with_namespace", project,
                        "created_at", Instant.now().toString())),
                Map.of("X-Gitlab-Token", SigilCluster.GITLAB_WEBHOOK_SECRET, "X-Gitlab-Event-UUID", UUID.randomUUID().toString()));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        String record = await().atMost(Duration.ofSeconds(10)).until(
                () -> Bots.records(cluster, Topics.JOIN_TOKENS, tokenName(answer)), r -> !r.isEmpty()).get(0);
        assertThat(record).contains("\"project_path\":\"" + project + "\"").contains("\"bot\":\"acme-gitlab\"");
    }

    @Test
    void aSelfHostedRunnerJobGetsADeliveryForItsLifetime(LocalCluster cluster) throws Exception {
        long jobId = Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
        Bots.Answer started = github(cluster, "workflow_job", jobEvent("in_progress", jobId), SigilCluster.GITHUB_WEBHOOK_SECRET);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(202);
        String key = "github-job-" + jobId;
        assertThat(Bots.records(cluster, Topics.DELIVERIES, key)).singleElement().asString()
                .contains("\"bot\":\"acme-ci\"").contains("/jobs/" + jobId);
        // output-writer on the runner writes the job's credentials into its directory ...
        java.nio.file.Path jobDir = cluster.home().resolve("jobs").resolve(String.valueOf(jobId));
        await().atMost(Duration.ofSeconds(20)).until(() -> java.nio.file.Files.exists(jobDir.resolve("ssh_config")));
        assertThat(Bots.run("openssl", "verify", "-CAfile", jobDir.resolve("tls-ca.crt").toString(), jobDir.resolve("tlscert").toString())
                .output()).endsWith(": OK\n");

        assertThat(github(cluster, "workflow_job", jobEvent("completed", jobId), SigilCluster.GITHUB_WEBHOOK_SECRET).status()).isEqualTo(202);
        assertThat(Bots.records(cluster, Topics.DELIVERIES, key)).hasSize(2).last().isNull();
        // ... and removes them when the job completes; a late in_progress event does not bring them back.
        await().atMost(Duration.ofSeconds(10)).until(() -> !java.nio.file.Files.exists(jobDir));
        assertThat(github(cluster, "workflow_job", jobEvent("in_progress", jobId), SigilCluster.GITHUB_WEBHOOK_SECRET)
                .body().get("effect").asText()).contains("already completed");
        assertThat(Bots.records(cluster, Topics.DELIVERIES, key)).hasSize(2);
    }

    private static String repositoryEvent(String action, String repo) {
        return EventJson.write(Map.of("action", action, "repository", Map.of("full_name", repo,
                "owner", Map.of("login", repo.substring(0, repo.indexOf('/'))), "updated_at", Instant.now().toString())));
    }

    private static String jobEvent(String action, long jobId) {
        String now = Instant.now().toString();
        return EventJson.write(Map.of("action", action, "repository", Map.of("full_name", "acme/app", "owner", Map.of("login", "acme")),
                "workflow_job", Map.of("id", jobId, "labels", List.of("self-hosted", "linux"), "runner_name", "runner-1",
                        "created_at", now, "started_at", now)));
    }

    private static String tokenName(Bots.Answer registered) {
        String effect = registered.body().get("effect").asText();
        return effect.replaceAll("^registered join token (\\S+) for .*$", "$1");
    }

    private static Bots.Answer githubJoin(LocalCluster cluster, String tokenName, String repository) throws Exception {
        String idToken = SigilCluster.GITHUB.sign(FakePlatform.claims(SigilCluster.GITHUB.url(), "sigil-e2e",
                Map.of("repository", repository)).build());
        return Bots.post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "github", "token", tokenName,
                "idToken", idToken, "publicKey", Bots.newPublicKey())), null);
    }

    private static Bots.Answer github(LocalCluster cluster, String event, String body, String secret) throws Exception {
        return github(cluster, event, body, secret, UUID.randomUUID().toString());
    }

    private static Bots.Answer github(LocalCluster cluster, String event, String body, String secret, String delivery) throws Exception {
        return post(cluster, "/v1/webhooks/github", body, Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", delivery,
                "X-Hub-Signature-256", "sha256=" + hmac(secret, body)));
    }

    static Bots.Answer post(LocalCluster cluster, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        HttpResponse<String> response = cluster.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isBlank() ? EventJson.MAPPER.createObjectNode() : EventJson.MAPPER.readTree(response.body());
        return new Bots.Answer(response.statusCode(), json, response);
    }

    static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
