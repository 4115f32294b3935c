package dev.sigil.join.webhook;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/**
 * CI platform webhooks. The signature is checked over the raw body before anything else is read; then each
 * delivery id is handled once (a platform retry is answered {@code duplicate}); then the event's effect is written
 * (see {@link Registrations}).
 */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
    private final Cache<String, Boolean> seenDeliveries = Caffeine.newBuilder().maximumSize(200_000)
            .expireAfterWrite(Duration.ofDays(1)).build();

    @ConfigProperty(name = "sigil.webhooks.github.secret")
    Optional<String> githubSecret;
    @ConfigProperty(name = "sigil.webhooks.gitlab.secret")
    Optional<String> gitlabSecret;
    @ConfigProperty(name = "sigil.webhooks.circleci.secret")
    Optional<String> circleciSecret;
    @Inject
    RegistrationPolicy policy;
    @Inject
    Registrations registrations;

    /** What a webhook answers: whether it was handled, and what it changed. */
    public record Outcome(String status, String delivery, String effect) {
    }

    @POST
    @Path("/github")
    public CompletionStage<Response> github(byte[] body, @HeaderParam("X-Hub-Signature-256") String signature,
            @HeaderParam("X-GitHub-Event") String event, @HeaderParam("X-GitHub-Delivery") String delivery) {
        WebhookSignatures.githubHmac(githubSecret, signature, body);
        return once("github", delivery, () -> {
            JsonNode payload = json(body);
            String action = payload.path("action").asText();
            String org = payload.at("/repository/owner/login").asText();
            String repository = payload.at("/repository/full_name").asText();
            if ("repository".equals(event)) {
                return switch (action) {
                    case "created", "unarchived" -> policy.find("github", org)
                            .map(r -> registrations.repositoryAppeared("github", "repository", repository, r))
                            .orElseGet(() -> Registrations.nothing("no registration policy for organisation " + org));
                    case "deleted", "archived" -> registrations.repositoryGone("github", repository, action);
                    default -> Registrations.nothing("repository " + action + " changes nothing");
                };
            }
            if ("workflow_job".equals(event)) {
                String jobId = payload.at("/workflow_job/id").asText();
                boolean selfHosted = payload.at("/workflow_job/labels").toString().contains("\"self-hosted\"");
                if (!selfHosted || jobId.isEmpty()) {
                    return Registrations.nothing("only self-hosted runner jobs get deliveries");
                }
                return switch (action) {
                    case "queued" -> policy.find("github", org).map(r -> registrations.jobQueued(jobId, r))
                            .orElseGet(() -> Registrations.nothing("no registration policy for organisation " + org));
                    case "completed" -> registrations.jobCompleted(jobId);
                    default -> Registrations.nothing("workflow_job " + action + " changes nothing");
                };
            }
            return Registrations.nothing("event " + event + " changes nothing");
        });
    }

    @POST
    @Path("/gitlab")
    public CompletionStage<Response> gitlab(byte[] body, @HeaderParam("X-Gitlab-Token") String token,
            @HeaderParam("X-Gitlab-Event-UUID") String delivery) {
        WebhookSignatures.gitlabToken(gitlabSecret, token);
        return once("gitlab", delivery, () -> {
            JsonNode payload = json(body);
            String project = payload.path("path_with_namespace").asText();
            String group = project.contains("/") ? project.substring(0, project.indexOf('/')) : project;
            return switch (payload.path("event_name").asText()) {
                case "project_create" -> policy.find("gitlab", group)
                        .map(r -> registrations.repositoryAppeared("gitlab", "project_path", project, r))
                        .orElseGet(() -> Registrations.nothing("no registration policy for group " + group));
                case "project_destroy" -> registrations.repositoryGone("gitlab", project, "deleted");
                default -> Registrations.nothing("event " + payload.path("event_name").asText() + " changes nothing");
            };
        });
    }

    @POST
    @Path("/circleci")
    public CompletionStage<Response> circleci(byte[] body, @HeaderParam("circleci-signature") String signature,
            @HeaderParam("circleci-event-type") String event) {
        WebhookSignatures.circleciHmac(circleciSecret, signature, body);
        JsonNode payload = json(body);
        return once("circleci", payload.path("id").asText(null),
                () -> Registrations.nothing("CircleCI " + event + " events change nothing yet"));
    }

    private CompletionStage<Response> once(String platform, String delivery, Supplier<CompletionStage<String>> effect) {
        if (delivery == null || delivery.isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the " + platform + " webhook has no delivery id");
        }
        String key = platform + ":" + delivery;
        if (seenDeliveries.asMap().putIfAbsent(key, Boolean.TRUE) != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(
                    Responses.json(200, new Outcome("duplicate", delivery, "already handled")));
        }
        try {
            return effect.get().handle((done, failure) -> {
                if (failure != null) {
                    seenDeliveries.invalidate(key); // let the platform's retry try again
                    throw new RefusalException(503, Refusal.UNAVAILABLE, "the webhook's effect could not be written to Kafka; retry the delivery");
                }
                return Responses.json(202, new Outcome("accepted", delivery, done));
            });
        } catch (RuntimeException e) {
            seenDeliveries.invalidate(key);
            throw e;
        }
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode node = EventJson.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return node;
        } catch (Exception e) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the webhook body is not a JSON object");
        }
    }

}
