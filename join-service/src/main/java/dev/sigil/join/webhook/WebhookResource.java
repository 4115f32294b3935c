package dev.sigil.join.webhook;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.api.Responses;

/**
 * CI platform webhooks (GitHub, GitLab). The signature is checked over the raw body before anything else is read;
 * then each delivery id is handled once across replicas and restarts ({@link WebhookLedger}; a repeat is answered
 * {@code duplicate}); then the payload is checked (the repository belongs to the organisation it is registered
 * under, job ids are numbers, events that grant something are recent by their own timestamps, {@link EventAge})
 * and its effect written (see {@link Registrations}).
 */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
    /** A delivery id as the platforms send them (GUIDs); it is a key on a topic, nothing more. */
    private static final Pattern DELIVERY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** One segment of a GitHub repository's full name or a GitLab project path. */
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    @ConfigProperty(name = "sigil.webhooks.github.secret")
    Optional<String> githubSecret;
    @ConfigProperty(name = "sigil.webhooks.gitlab.secret")
    Optional<String> gitlabSecret;
    @Inject
    RegistrationPolicy policy;
    @Inject
    Registrations registrations;
    @Inject
    WebhookLedger ledger;
    @Inject
    EventAge age;

    /** What a webhook answers: whether it was handled, and what it changed. */
    public record Outcome(String status, String delivery, String effect) {
    }

    @POST
    @Path("/github")
    public CompletionStage<Response> github(byte[] body, @HeaderParam("X-Hub-Signature-256") String signature,
            @HeaderParam("X-GitHub-Event") String event, @HeaderParam("X-GitHub-Delivery") String delivery) {
        WebhookSignatures.githubHmac(githubSecret, signature, body);
        return once("github", delivery, () -> githubEvent(event, json(body)));
    }

    private CompletionStage<String> githubEvent(String event, JsonNode payload) {
        if (!"repository".equals(event) && !"workflow_job".equals(event)) {
            return Registrations.nothing("event " + Names.printable(String.valueOf(event)) + " changes nothing");
        }
        String action = payload.path("action").asText();
        String owner = payload.at("/repository/owner/login").asText();
        String repository = githubRepository(payload, owner);
        Optional<RegistrationPolicy.Registration> registration = policy.find("github", owner);
        if (registration.isEmpty()) {
            return Registrations.nothing("no registration policy for organisation " + Names.printable(owner));
        }
        if ("repository".equals(event)) {
            return switch (action) {
                case "created", "unarchived" -> {
                    age.requireFresh("repository " + action, payload, "/repository/updated_at", "/repository/created_at",
                            "/repository/pushed_at");
                    yield registrations.repositoryAppeared("github", "repository", repository, registration.get());
                }
                // Taking access away is never refused for age: a late deletion must still remove the token.
                case "deleted", "archived" -> registrations.repositoryGone("github", repository, action);
                default -> Registrations.nothing("repository " + Names.printable(action) + " changes nothing");
            };
        }
        long jobId = jobId(payload.at("/workflow_job/id"));
        if (!selfHosted(payload.at("/workflow_job/labels"))) {
            return Registrations.nothing("only self-hosted runner jobs get deliveries");
        }
        return switch (action) {
            case "in_progress" -> {
                age.requireFresh("workflow_job in_progress", payload, "/workflow_job/started_at", "/workflow_job/created_at");
                JsonNode runner = payload.at("/workflow_job/runner_name");
                yield registrations.jobStarted(jobId, runner.isTextual() ? runner.asText() : null, registration.get());
            }
            case "queued" -> Registrations.nothing("job " + jobId + " is queued; its delivery is made when a runner "
                    + "starts it (the in_progress event names the runner)");
            case "completed" -> registrations.jobCompleted(jobId);
            default -> Registrations.nothing("workflow_job " + Names.printable(action) + " changes nothing");
        };
    }

    /**
     * The repository's full name, refused unless it is {@code <owner>/<name>} for the owner the event names (and the
     * organisation, when the payload carries one): a token is only ever registered under the repository's own org.
     */
    private static String githubRepository(JsonNode payload, String owner) {
        String fullName = payload.at("/repository/full_name").asText();
        JsonNode organisation = payload.at("/organization/login");
        if (!PATH_SEGMENT.matcher(owner).matches() || !fullName.startsWith(owner + "/")
                || !PATH_SEGMENT.matcher(fullName.substring(owner.length() + 1)).matches() || dots(fullName)
                || (organisation.isTextual() && !organisation.asText().equals(owner))) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "repository.full_name '" + Names.printable(fullName)
                    + "' is not a repository of owner '" + Names.printable(owner) + "'" + (organisation.isTextual()
                            ? " in organisation '" + Names.printable(organisation.asText()) + "'" : "")
                    + "; Sigil registers a repository only under its own organisation");
        }
        return fullName;
    }

    /** A GitHub job id: a positive integer, as GitHub sends it. It becomes a directory name and a delivery key. */
    private static long jobId(JsonNode id) {
        if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() <= 0) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "workflow_job.id must be a positive integer, as "
                    + "GitHub sends it; got " + Names.printable(id.isMissingNode() ? "nothing" : id.toString()));
        }
        return id.asLong();
    }

    private static boolean selfHosted(JsonNode labels) {
        if (!labels.isArray()) {
            return false;
        }
        for (JsonNode label : labels) {
            if ("self-hosted".equals(label.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * GitLab system hooks. GitLab signs nothing: its secret token travels in {@code X-Gitlab-Token}. The delivery id
     * is {@code Idempotency-Key} (the same across GitLab's retries), else {@code X-Gitlab-Event-UUID}.
     */
    @POST
    @Path("/gitlab")
    public CompletionStage<Response> gitlab(byte[] body, @HeaderParam("X-Gitlab-Token") String token,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @HeaderParam("X-Gitlab-Event-UUID") String eventUuid) {
        WebhookSignatures.gitlabToken(gitlabSecret, token);
        String delivery = idempotencyKey != null && !idempotencyKey.isBlank() ? idempotencyKey : eventUuid;
        return once("gitlab", delivery, () -> gitlabEvent(json(body)));
    }

    private CompletionStage<String> gitlabEvent(JsonNode payload) {
        String eventName = payload.path("event_name").asText();
        if (!"project_create".equals(eventName) && !"project_destroy".equals(eventName)) {
            return Registrations.nothing("event " + Names.printable(eventName) + " changes nothing");
        }
        String project = payload.path("path_with_namespace").asText();
        String[] segments = project.split("/", -1);
        boolean valid = segments.length >= 2 && !dots(project);
        for (String segment : segments) {
            valid &= PATH_SEGMENT.matcher(segment).matches();
        }
        if (!valid) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "path_with_namespace '" + Names.printable(project)
                    + "' is not a project path (<group>/<project>, segments of letters, digits, '_', '.' and '-')");
        }
        String group = segments[0];
        Optional<RegistrationPolicy.Registration> registration = policy.find("gitlab", group);
        if (registration.isEmpty()) {
            return Registrations.nothing("no registration policy for group " + group);
        }
        if ("project_create".equals(eventName)) {
            age.requireFresh("project_create", payload, "/created_at", "/updated_at", "/object_attributes/created_at",
                    "/object_attributes/updated_at");
            return registrations.repositoryAppeared("gitlab", "project_path", project, registration.get());
        }
        return registrations.repositoryGone("gitlab", project, "deleted");
    }

    private static boolean dots(String path) {
        for (String segment : path.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Handles a delivery once: claimed in the ledger, its effect written, then recorded as handled for every replica.
     * A refused or failed delivery is not recorded, so the platform's redelivery is looked at afresh.
     */
    private CompletionStage<Response> once(String platform, String delivery, Supplier<CompletionStage<String>> effect) {
        if (delivery == null || delivery.isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the " + platform + " webhook has no delivery id");
        }
        if (!DELIVERY_ID.matcher(delivery).matches()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the " + platform + " delivery id '"
                    + Names.printable(delivery) + "' is not one: 1-128 letters, digits, '.', '_', ':' and '-'");
        }
        String key = platform + ":" + delivery;
        Optional<String> duplicate = ledger.claim(key);
        if (duplicate.isPresent()) {
            return CompletableFuture.completedFuture(Responses.json(200, new Outcome("duplicate", delivery, duplicate.get())));
        }
        CompletionStage<String> written;
        try {
            written = effect.get();
        } catch (RuntimeException e) {
            ledger.release(key);
            throw e;
        }
        return written.thenCompose(done -> ledger.handled(key, done).thenApply(recorded -> done))
                .handle((done, failure) -> {
                    if (failure == null) {
                        return Responses.json(202, new Outcome("accepted", delivery, done));
                    }
                    ledger.release(key); // let the platform's retry try again
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof RefusalException refusal) {
                        throw refusal;
                    }
                    throw new RefusalException(503, Refusal.UNAVAILABLE, "the webhook's effect could not be written to "
                            + "Kafka; redeliver it");
                });
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
