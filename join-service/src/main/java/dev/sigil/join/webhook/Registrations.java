package dev.sigil.join.webhook;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.join.admin.Deliveries;
import dev.sigil.join.admin.DesiredStateWriter;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.RequestGuards;
import dev.sigil.join.join.JoinTokenView;

/**
 * What webhooks change. A repository or project that appears gets a join token allowing exactly it, for its
 * organisation's bot, and the bot is created from the registration policy if there is none. One that is deleted or
 * archived loses the token, which is also locked so nothing already in flight gets through. A self-hosted runner's
 * job gets a delivery of credentials while it runs.
 *
 * <p>A webhook never overrules an admin: it only adds what is absent. It never rewrites an existing bot or join
 * token and never lifts a lock (a repository created again keeps the lock its deletion left, until an admin removes
 * it). Every write is idempotent by a deterministic key, so a delivery handled twice, on two replicas at once,
 * writes the same thing twice.
 */
@Singleton
public class Registrations {
    /** Which output-writer writes a runner job's directory. */
    enum JobNode {
        /** The writer on the job's node: runners are registered under their node's name (see README). */
        RUNNER_NAME,
        /** The cluster-wide writers, for a jobs directory on storage every runner mounts. */
        CENTRAL
    }

    private final DesiredStateWriter writer;
    private final JoinTokenView tokens;
    private final KnownBots bots;
    private final WebhookLedger ledger;
    private final String jobsDir;
    private final JobNode jobNode;

    public Registrations(DesiredStateWriter writer, JoinTokenView tokens, KnownBots bots, WebhookLedger ledger,
            @ConfigProperty(name = "sigil.webhooks.jobs-dir") String jobsDir,
            @ConfigProperty(name = "sigil.webhooks.job-node", defaultValue = "runner-name") String jobNode) {
        this.writer = writer;
        this.tokens = tokens;
        this.bots = bots;
        this.ledger = ledger;
        Names.DIRECTORY_PATH.problem(jobsDir).ifPresent(p -> {
            throw new IllegalStateException("sigil.webhooks.jobs-dir: " + p);
        });
        this.jobsDir = jobsDir.endsWith("/") ? jobsDir.substring(0, jobsDir.length() - 1) : jobsDir;
        this.jobNode = switch (jobNode) {
            case "runner-name" -> JobNode.RUNNER_NAME;
            case "central" -> JobNode.CENTRAL;
            default -> throw new IllegalStateException("sigil.webhooks.job-node must be runner-name or central, not '"
                    + jobNode + "'");
        };
    }

    /** The join token name for a repository: readable, and unique through a digest of the full name. */
    public static String tokenName(String platform, String repository) {
        String slug = repository.toLowerCase().replaceAll("[^a-z0-9._-]+", "-");
        slug = slug.length() > 40 ? slug.substring(0, 40) : slug;
        String digest = HexFormat.of().formatHex(RequestGuards.sha256(platform + ":" + repository)).substring(0, 8);
        return platform + "-" + slug + "-" + digest;
    }

    /** @param ruleField the allow-rule field naming a repository on this platform */
    CompletionStage<String> repositoryAppeared(String platform, String ruleField, String repository,
            RegistrationPolicy.Registration registration) {
        String name = tokenName(platform, repository);
        String lockNote = "; a webhook never lifts a lock: one on " + LockSpec.joinToken(name) + " stays until an admin removes it";
        // Both looks come first: either may refuse (503) while this replica is still reading its topic.
        boolean botExists = bots.exists(registration.bot());
        boolean tokenExists = tokens.find(name).isPresent();
        CompletionStage<String> bot = botExists ? done("bot " + registration.bot() + " exists, left as it is")
                : writer.put(new BotSpec(registration.bot(), registration.roles(), Map.of("logins", registration.logins()), null))
                        .thenApply(written -> {
                            bots.remember(registration.bot());
                            return "bot " + registration.bot() + " created from the registration policy";
                        });
        if (tokenExists) {
            return bot.thenApply(b -> "join token " + name + " for " + repository + " exists, left as it is; " + b + lockNote);
        }
        JoinTokenSpec token = new JoinTokenSpec(name, registration.bot(), platform, null,
                List.of(Map.of(ruleField, repository)), registration.tokenConfig());
        return bot.thenCompose(b -> writer.put(token).thenApply(written -> {
            tokens.remember(token);
            return "registered join token " + name + " for " + repository + "; " + b + lockNote;
        }));
    }

    CompletionStage<String> repositoryGone(String platform, String repository, String why) {
        String name = tokenName(platform, repository);
        tokens.forget(name);
        return writer.put(new LockSpec(LockSpec.joinToken(name), repository + " was " + why, null))
                .thenCompose(done -> writer.removeJoinToken(name))
                .thenApply(done -> "removed and locked join token " + name);
    }

    /**
     * A job started on a self-hosted runner: its bot's identity is delivered to {@code <jobs-dir>/<job id>} on the
     * job's node, unless the job was already seen completing (a late or replayed event must not bring it back).
     */
    CompletionStage<String> jobStarted(long jobId, String runnerName, RegistrationPolicy.Registration registration) {
        String id = jobDelivery(jobId);
        if (ledger.jobCompleted(id)) {
            return done("job " + jobId + " already completed; its delivery is not made again");
        }
        String node = null;
        if (jobNode == JobNode.RUNNER_NAME) {
            if (runnerName == null || runnerName.isBlank()) {
                throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "workflow_job.runner_name is missing: "
                        + "with sigil.webhooks.job-node=runner-name the job's delivery goes to the node its runner is named after");
            }
            node = runnerName;
        }
        DeliverySpec identity = new DeliverySpec(id, registration.bot(), "identity",
                new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, jobsDir + "/" + jobId));
        DeliverySpec delivery = new DeliverySpec(identity.id(), identity.bot(), identity.output(), null, null,
                identity.destination(), null, node);
        Deliveries.check(delivery); // the same checks as an admin's delivery
        String where = delivery.destination().path() + (node == null ? "" : " on node " + node);
        return writer.put(delivery).thenApply(done -> "delivering " + registration.bot() + "'s identity to " + where);
    }

    /** The completion is recorded first, so no event handled after this one can deliver again. */
    CompletionStage<String> jobCompleted(long jobId) {
        String id = jobDelivery(jobId);
        return ledger.completeJob(id).thenCompose(done -> writer.removeDelivery(id))
                .thenApply(done -> "removed delivery " + id);
    }

    static String jobDelivery(long jobId) {
        return "github-job-" + jobId;
    }

    static CompletionStage<String> nothing(String why) {
        return done(why);
    }

    private static CompletionStage<String> done(String what) {
        return CompletableFuture.completedFuture(what);
    }
}
