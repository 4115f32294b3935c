package dev.sigil.join.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Topics;
import dev.sigil.join.InJvmKafka;
import dev.sigil.join.admin.RecordingWriter;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenViews;

/**
 * Webhooks as a hostile sender would use them, with a captured or crafted (but validly signed) delivery: they never
 * lift a lock or change an existing bot, register only a repository of the organisation it belongs to, take only
 * numeric job ids, handle each delivery id once even on a fresh replica, refuse stale events, and never bring back
 * a completed job. The handled deliveries live on a real Kafka log (an in-JVM broker), as in production.
 */
class WebhookHardeningTest {
    private static final String SECRET = "github-webhook-secret-for-tests";
    private static final String POLICY = EventJson.write(Map.of(
            "github", Map.of("acme", Map.of("bot", "acme-ci", "roles", List.of("acme-access"), "logins", List.of("deploy"))),
            "gitlab", Map.of("acme-group", Map.of("bot", "acme-gitlab", "roles", List.of("acme-access")))));
    private static final AtomicLong JOB_IDS = new AtomicLong(System.nanoTime() % 1_000_000_000L);
    private static InJvmKafka kafka;

    private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final List<AutoCloseable> replicas = new ArrayList<>();

    @BeforeAll
    static void broker() throws Exception {
        kafka = new InJvmKafka();
        // The admin created acme's bot, with roles and logins of its own choosing.
        kafka.send(Topics.BOTS, "acme-ci", EventJson.write(new BotSpec("acme-ci", List.of("admin-chosen"),
                Map.of("logins", List.of("admin-login")), Duration.ofHours(1))));
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @AfterEach
    void stopReplicas() throws Exception {
        for (AutoCloseable replica : replicas) {
            replica.close();
        }
    }

    @Test
    void aCreatedOrUnarchivedRepositoryNeverLiftsALockNorChangesAnExistingBot() {
        Replica replica = replica();
        String repo = "acme/app-" + suffix();

        Answer created = replica.github("repository", repositoryEvent("created", repo, now));
        Answer unarchived = replica.github("repository", repositoryEvent("unarchived", repo, now));

        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(unarchived.status()).as(unarchived.toString()).isEqualTo(202);
        assertThat(replica.writer.removals()).noneMatch(r -> r.startsWith("remove lock"));
        assertThat(replica.writer.puts(BotSpec.class)).isEmpty();
        assertThat(replica.writer.puts(JoinTokenSpec.class)).singleElement()
                .satisfies(t -> assertThat(t.allow()).containsExactly(Map.of("repository", repo)));
        assertThat(created.effect()).contains("bot acme-ci exists, left as it is").contains("never lifts a lock");
        assertThat(unarchived.effect()).contains("exists, left as it is");
    }

    @Test
    void aJoinTokenAnAdminChangedIsLeftAsItIs() {
        Replica replica = replica();
        String repo = "acme/tuned-" + suffix();
        JoinTokenSpec adminTuned = new JoinTokenSpec(Registrations.tokenName("github", repo), "acme-ci", "github", null,
                List.of(Map.of("repository", repo, "ref", "refs/heads/main")), Map.of());
        replica.tokens.remember(adminTuned);

        assertThat(replica.github("repository", repositoryEvent("unarchived", repo, now)).status()).isEqualTo(202);

        assertThat(replica.writer.writes).isEmpty();
        assertThat(replica.tokens.find(adminTuned.name())).contains(adminTuned);
    }

    @Test
    void aBotIsCreatedFromThePolicyOnlyWhenThereIsNone() {
        Replica replica = replica();
        assertThat(replica.gitlab(projectEvent("project_create", "acme-group/one-" + suffix(), now)).status()).isEqualTo(202);
        assertThat(replica.gitlab(projectEvent("project_create", "acme-group/two-" + suffix(), now)).status()).isEqualTo(202);
        assertThat(replica.writer.puts(BotSpec.class)).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("acme-gitlab");
            assertThat(b.roles()).containsExactly("acme-access");
        });
    }

    @Test
    void aRepositoryOfAnotherOrganisationIsRefused() {
        Replica replica = replica();
        for (Map<String, Object> event : List.of(
                repositoryEvent("created", "evil/app", now, "acme"),
                repositoryEvent("created", "acme/../evil", now, "acme"),
                repositoryEvent("created", "acme/app/x", now, "acme"),
                withOrganisation(repositoryEvent("created", "acme/app", now), "evil"),
                repositoryEvent("deleted", "evil/app", now, "acme"))) {
            Answer answer = replica.github("repository", event);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.code()).isEqualTo("MALFORMED_REQUEST");
            assertThat(answer.message()).contains("is not a repository of owner 'acme'");
        }
        assertThat(replica.writer.writes).isEmpty();
    }

    @Test
    void aJobIdThatIsNotANumberIsRefused() {
        Replica replica = replica();
        for (Object id : List.of("1/../../../etc", "12a", "12", 12.5, -3, 0)) {
            Answer answer = replica.github("workflow_job", jobEvent("in_progress", id, "runner-7", now));
            assertThat(answer.status()).as(id + ": " + answer).isEqualTo(400);
            assertThat(answer.message()).contains("workflow_job.id must be a positive integer");
        }
        assertThat(replica.writer.writes).isEmpty();
    }

    @Test
    void theSameDeliveryIsHandledOnceEvenByAReplicaStartedAfterwards() {
        Replica first = replica();
        String delivery = UUID.randomUUID().toString();
        Map<String, Object> event = repositoryEvent("created", "acme/once-" + suffix(), now);

        assertThat(first.github("repository", event, delivery).status()).isEqualTo(202);
        Answer again = first.github("repository", event, delivery);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("status").asText()).isEqualTo("duplicate");

        // A restart, or another replica: it knows nothing but what it reads from Kafka.
        Replica restarted = replica();
        Answer replayed = restarted.github("repository", event, delivery);
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(200);
        assertThat(replayed.body().path("status").asText()).isEqualTo("duplicate");
        assertThat(replayed.body().path("effect").asText()).startsWith("already handled at ");
        assertThat(restarted.writer.writes).isEmpty();
        assertThat(first.writer.puts(JoinTokenSpec.class)).hasSize(1);
    }

    @Test
    void anEventOlderThanTheWindowIsRefused() {
        Replica replica = replica();
        Answer stale = replica.github("repository", repositoryEvent("created", "acme/stale-" + suffix(), now.minus(Duration.ofMinutes(11))));
        assertThat(stale.status()).isEqualTo(400);
        assertThat(stale.code()).isEqualTo("WEBHOOK_STALE");
        assertThat(stale.message()).contains("older than the 10 minutes");

        Map<String, Object> undated = repositoryEvent("created", "acme/undated-" + suffix(), now);
        ((Map<?, ?>) undated.get("repository")).remove("updated_at");
        assertThat(replica.github("repository", undated).code()).isEqualTo("WEBHOOK_STALE");

        Answer staleJob = replica.github("workflow_job", jobEvent("in_progress", JOB_IDS.incrementAndGet(), "runner-7",
                now.minus(Duration.ofHours(2))));
        assertThat(staleJob.code()).isEqualTo("WEBHOOK_STALE");
        assertThat(replica.writer.writes).isEmpty();

        // Just inside the window, and GitLab's own time format.
        assertThat(replica.github("repository", repositoryEvent("created", "acme/fresh-" + suffix(), now.minus(Duration.ofMinutes(9))))
                .status()).isEqualTo(202);
        String gitlabTime = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
                .format(now.minus(Duration.ofMinutes(30)).atZone(ZoneOffset.UTC));
        Map<String, Object> gitlab = projectEvent("project_create", "acme-group/late-" + suffix(), now);
        gitlab.put("created_at", gitlabTime);
        gitlab.put("updated_at", gitlabTime);
        assertThat(replica.gitlab(gitlab).code()).isEqualTo("WEBHOOK_STALE");
    }

    @Test
    void aQueuedOrInProgressEventAfterTheJobCompletedDoesNothing() {
        Replica replica = replica();
        long job = JOB_IDS.incrementAndGet();
        assertThat(replica.github("workflow_job", jobEvent("in_progress", job, "runner-7", now)).status()).isEqualTo(202);
        assertThat(replica.github("workflow_job", jobEvent("completed", job, "runner-7", now)).status()).isEqualTo(202);
        assertThat(replica.writer.removals()).containsExactly("remove delivery github-job-" + job);

        // GitHub does not promise order, and a captured event may be replayed with a fresh delivery id.
        Answer late = replica.github("workflow_job", jobEvent("in_progress", job, "runner-7", now));
        Answer queued = replica.github("workflow_job", jobEvent("queued", job, null, now));
        Answer onAnotherReplica = replica().github("workflow_job", jobEvent("in_progress", job, "runner-7", now));

        assertThat(late.effect()).contains("already completed");
        assertThat(queued.status()).isEqualTo(202);
        assertThat(onAnotherReplica.effect()).contains("already completed");
        assertThat(replica.writer.puts(DeliverySpec.class)).hasSize(1);
    }

    @Test
    void aJobsDeliveryGoesToItsRunnersNodeThroughTheAdminChecks() {
        Replica replica = replica();
        long job = JOB_IDS.incrementAndGet();
        assertThat(replica.github("workflow_job", jobEvent("in_progress", job, "runner-7", now)).status()).isEqualTo(202);
        assertThat(replica.writer.puts(DeliverySpec.class)).singleElement().satisfies(d -> {
            assertThat(d.id()).isEqualTo("github-job-" + job);
            assertThat(d.node()).isEqualTo("runner-7");
            assertThat(d.destination().path()).isEqualTo("/var/lib/sigil/jobs/" + job);
            assertThat(d.bot()).isEqualTo("acme-ci");
        });

        Answer badRunner = replica.github("workflow_job", jobEvent("in_progress", JOB_IDS.incrementAndGet(), "runner 7;rm", now));
        assertThat(badRunner.status()).isEqualTo(400);
        assertThat(badRunner.message()).contains("node: ").contains("RFC 1123");
        Answer noRunner = replica.github("workflow_job", jobEvent("in_progress", JOB_IDS.incrementAndGet(), null, now));
        assertThat(noRunner.message()).contains("runner_name is missing");
        assertThat(replica.writer.puts(DeliverySpec.class)).hasSize(1);

        assertThatThrownBy(() -> new Registrations(new RecordingWriter(), null, null, null, "/var/lib/../etc", "runner-name"))
                .hasMessageContaining("sigil.webhooks.jobs-dir");
    }

    @Test
    void aDeletedRepositoryStillLosesItsTokenAndIsLockedWhateverItsAge() {
        Replica replica = replica();
        String repo = "acme/gone-" + suffix();
        Answer deleted = replica.github("repository", repositoryEvent("deleted", repo, now.minus(Duration.ofDays(30))));
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(202);
        String token = Registrations.tokenName("github", repo);
        assertThat(replica.writer.puts(LockSpec.class)).singleElement().extracting(LockSpec::target)
                .isEqualTo(LockSpec.joinToken(token));
        assertThat(replica.writer.removals()).containsExactly("remove join-token " + token);
    }

    @Test
    void aRegistrationPolicyWithBrokenNamesStopsStartUp() {
        assertThatThrownBy(() -> new RegistrationPolicy(Optional.of(EventJson.write(Map.of("github", Map.of("acme",
                Map.of("bot", "acme-ci", "logins", List.of("root,admin"))))))))
                .hasMessageContaining("github.acme").hasMessageContaining("a POSIX user name");
    }

    @Test
    void theCircleciWebhookIsGone() {
        assertThat(WebhookResource.class.getMethods()).noneMatch(m -> m.isAnnotationPresent(Path.class)
                && m.getAnnotation(Path.class).value().contains("circleci"));
    }

    // ---- a join-service replica's webhook side, on the shared broker

    private Replica replica() {
        Replica replica = new Replica();
        replicas.add(replica);
        await().atMost(Duration.ofSeconds(30)).until(replica::loaded);
        return replica;
    }

    private final class Replica implements AutoCloseable {
        final RecordingWriter writer = new RecordingWriter();
        final WebhookLedger ledger = new WebhookLedger(kafka.bootstrapServers(), Clock.fixed(now, ZoneOffset.UTC));
        final KnownBots bots = new KnownBots(kafka.bootstrapServers());
        final dev.sigil.join.join.JoinTokenView tokens = JoinTokenViews.started(kafka.bootstrapServers());
        final WebhookResource resource = new WebhookResource();

        Replica() {
            resource.githubSecret = Optional.of(SECRET);
            resource.gitlabSecret = Optional.of(SECRET);
            resource.policy = new RegistrationPolicy(Optional.of(POLICY));
            resource.registrations = new Registrations(writer, tokens, bots, ledger, "/var/lib/sigil/jobs", "runner-name");
            resource.ledger = ledger;
            resource.age = new EventAge(Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(10));
        }

        boolean loaded() {
            try {
                return ledger.loaded() && bots.exists("acme-ci");
            } catch (RefusalException e) {
                return false;
            }
        }

        Answer github(String event, Map<String, Object> payload) {
            return github(event, payload, UUID.randomUUID().toString());
        }

        Answer github(String event, Map<String, Object> payload, String delivery) {
            byte[] body = EventJson.write(payload).getBytes(StandardCharsets.UTF_8);
            String signature = "sha256=" + HexFormat.of().formatHex(WebhookSignatures.hmacSha256(SECRET, body));
            return answer(() -> resource.github(body, signature, event, delivery));
        }

        Answer gitlab(Map<String, Object> payload) {
            byte[] body = EventJson.write(payload).getBytes(StandardCharsets.UTF_8);
            return answer(() -> resource.gitlab(body, SECRET, UUID.randomUUID().toString(), null));
        }

        @Override
        public void close() {
            ledger.close();
            bots.close();
        }
    }

    /** What the webhook answered: the status and JSON body, or the refusal. */
    record Answer(int status, JsonNode body) {
        String code() {
            return body.path("code").asText();
        }

        String message() {
            return body.path("message").asText();
        }

        String effect() {
            return body.path("effect").asText();
        }
    }

    private static Answer answer(java.util.function.Supplier<java.util.concurrent.CompletionStage<Response>> call) {
        try {
            Response response = call.get().toCompletableFuture().join();
            return new Answer(response.getStatus(), EventJson.MAPPER.readTree((String) response.getEntity()));
        } catch (RefusalException e) {
            return new Answer(e.status(), EventJson.MAPPER.valueToTree(e.refusal()));
        } catch (CompletionException e) {
            if (e.getCause() instanceof RefusalException refusal) {
                return new Answer(refusal.status(), EventJson.MAPPER.valueToTree(refusal.refusal()));
            }
            throw e;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- payloads, as GitHub and GitLab send them (the fields Sigil reads)

    private static Map<String, Object> repositoryEvent(String action, String fullName, Instant updatedAt) {
        return repositoryEvent(action, fullName, updatedAt, fullName.substring(0, fullName.indexOf('/')));
    }

    private static Map<String, Object> repositoryEvent(String action, String fullName, Instant updatedAt, String owner) {
        Map<String, Object> repository = new HashMap<>(Map.of("full_name", fullName, "owner", Map.of("login", owner),
                "updated_at", updatedAt.toString()));
        return new HashMap<>(Map.of("action", action, "repository", repository));
    }

    private static Map<String, Object> withOrganisation(Map<String, Object> event, String organisation) {
        event.put("organization", Map.of("login", organisation));
        return event;
    }

    private static Map<String, Object> jobEvent(String action, Object jobId, String runner, Instant at) {
        Map<String, Object> job = new HashMap<>(Map.of("id", jobId, "labels", List.of("self-hosted", "linux"),
                "created_at", at.toString(), "started_at", at.toString()));
        if (runner != null) {
            job.put("runner_name", runner);
        }
        if (action.equals("completed")) {
            job.put("completed_at", at.toString());
        }
        return new HashMap<>(Map.of("action", action, "workflow_job", job,
                "repository", Map.of("full_name", "acme/app", "owner", Map.of("login", "acme"))));
    }

    private static Map<String, Object> projectEvent(String eventName, String path, Instant at) {
        return new HashMap<>(Map.of("event_name", eventName, "path_with_namespace", path, "created_at", at.toString(),
                "updated_at", at.toString()));
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
