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
import dev.sigil.join.admin.DesiredStateWriter;
import dev.sigil.join.api.RequestGuards;
import dev.sigil.join.join.JoinTokenView;

/**
 * What webhooks change: a repository or project that appears gets a join token allowing exactly it, for its
 * organisation's bot; one that is deleted or archived loses the token, which is also locked so nothing already in
 * flight gets through; a self-hosted runner's job gets a delivery of credentials for its lifetime. Every effect is
 * an idempotent write to a compacted topic, so a retried delivery on another replica changes nothing.
 */
@Singleton
public class Registrations {
    private final DesiredStateWriter writer;
    private final JoinTokenView tokens;
    private final String jobsDir;

    public Registrations(DesiredStateWriter writer, JoinTokenView tokens,
            @ConfigProperty(name = "sigil.webhooks.jobs-dir") String jobsDir) {
        this.writer = writer;
        this.tokens = tokens;
        this.jobsDir = jobsDir;
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
        BotSpec bot = new BotSpec(registration.bot(), registration.roles(), Map.of("logins", registration.logins()), null);
        JoinTokenSpec token = new JoinTokenSpec(tokenName(platform, repository), registration.bot(), platform, null,
                List.of(Map.of(ruleField, repository)), registration.tokenConfig());
        return writer.put(bot)
                .thenCompose(done -> writer.removeLock(LockSpec.joinToken(token.name())))
                .thenCompose(done -> writer.put(token))
                .thenApply(done -> {
                    tokens.remember(token);
                    return "registered join token " + token.name() + " for " + repository;
                });
    }

    CompletionStage<String> repositoryGone(String platform, String repository, String why) {
        String name = tokenName(platform, repository);
        tokens.forget(name);
        return writer.put(new LockSpec(LockSpec.joinToken(name), repository + " was " + why, null))
                .thenCompose(done -> writer.removeJoinToken(name))
                .thenApply(done -> "removed and locked join token " + name);
    }

    CompletionStage<String> jobQueued(String jobId, RegistrationPolicy.Registration registration) {
        DeliverySpec delivery = new DeliverySpec(jobDelivery(jobId), registration.bot(), "identity",
                new DeliverySpec.Destination("directory", jobsDir + "/" + jobId));
        return writer.put(delivery).thenApply(done -> "delivering " + registration.bot() + "'s identity to " + delivery.destination().path());
    }

    CompletionStage<String> jobCompleted(String jobId) {
        return writer.removeDelivery(jobDelivery(jobId)).thenApply(done -> "removed delivery " + jobDelivery(jobId));
    }

    static String jobDelivery(String jobId) {
        return "github-job-" + jobId;
    }

    static CompletionStage<String> nothing(String why) {
        return CompletableFuture.completedFuture(why);
    }
}
