package dev.sigil.contract;

import java.util.List;
import java.util.Map;

/** Every Kafka topic Sigil uses, with the settings it must be created with (see DESIGN.md, "The log between them"). */
public final class Topics {
    public static final String BOTS = "sigil.bots";
    public static final String ROLES = "sigil.roles";
    public static final String LOCKS = "sigil.locks";
    public static final String LEAF_CLUSTERS = "sigil.leaf-clusters";
    public static final String BOT_INSTANCES = "sigil.bot-instances";
    public static final String JOIN_TOKENS = "sigil.join-tokens";
    public static final String CA = "sigil.ca";
    public static final String CA_ROTATIONS = "sigil.ca.rotations";
    public static final String DELIVERIES = "sigil.deliveries";
    public static final String ISSUE_REQUESTS = "sigil.issue.requests";
    public static final String ISSUE_RESULTS = "sigil.issue.results";
    /**
     * Issue requests whose proof is a platform token or a challenge, keyed by proof id, so each proof is claimed once
     * on one partition whichever bot presents it; written and read by issuer-service only.
     */
    public static final String ISSUE_PROOF_CLAIMS = "sigil.issue.proof-claims";
    /** Issue requests whose proof was claimed, back keyed by bot; written and read by issuer-service only. */
    public static final String ISSUE_CLAIMED = "sigil.issue.claimed";
    public static final String RENEWAL_REQUESTS = "sigil.renewal.requests";
    public static final String RENEWAL_DUE = "sigil.renewal.due";
    /** Each renewal request copied to every partition, so each renewal-service task applies it to its identities. */
    public static final String RENEWAL_REQUESTS_FANOUT = "sigil.renewal.requests.fanout";
    public static final String AUDIT = "sigil.audit";
    /** The admins ({@link AdminSpec}), keyed by name: bots allowed to use the admin API, with their admin roles. */
    public static final String ADMINS = "sigil.admins";
    /** An identity turned overdue (past its renewal point, not renewed) or expired: for whoever is on call. */
    public static final String ALERTS = "sigil.alerts";
    /**
     * Fleet health per bot, keyed by bot ({@link BotFleetHealth}): renewal-service publishes the counts of the bots
     * its tasks own; join-service reads them for the admin API and the console. A tombstone: the bot has nothing left.
     */
    public static final String FLEET = "sigil.fleet";
    public static final String SERVICE_CERTIFICATES = "sigil.service-certificates";
    public static final String SERVICE_CERTIFICATE_RESULTS = "sigil.service-certificates.results";

    /**
     * Each CI webhook delivery join-service handled, and each runner job it saw complete, keyed by delivery id (or
     * {@code job-completed:<delivery>}): every join-service replica reads it whole at start, so a delivery is handled
     * once across replicas and restarts. Deleted after the broker's retention (7 days, far past the webhook age
     * window, beyond which events are refused by their own timestamps anyway), so it stays small.
     */
    public static final String WEBHOOK_DELIVERIES = "sigil.webhook.deliveries";

    /** Records that could not be read are parked here with the reason, so the consumer can keep going. */
    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }

    /** A topic and how it is kept: compacted topics hold desired state by key, the others are event streams. */
    public record Definition(String name, boolean compacted) {
        public Map<String, String> configs() {
            return compacted ? Map.of("cleanup.policy", "compact") : Map.of("cleanup.policy", "delete");
        }
    }

    public static List<Definition> all() {
        List<Definition> state = List.of(BOTS, ROLES, LOCKS, LEAF_CLUSTERS, BOT_INSTANCES, JOIN_TOKENS, CA, DELIVERIES, FLEET, ADMINS).stream()
                .map(t -> new Definition(t, true)).toList();
        List<Definition> events = List.of(ISSUE_REQUESTS, ISSUE_PROOF_CLAIMS, ISSUE_CLAIMED, ISSUE_RESULTS, RENEWAL_REQUESTS, RENEWAL_REQUESTS_FANOUT, RENEWAL_DUE, AUDIT, ALERTS, CA_ROTATIONS,
                SERVICE_CERTIFICATES, SERVICE_CERTIFICATE_RESULTS, deadLetter(SERVICE_CERTIFICATES),
                deadLetter(ISSUE_REQUESTS), deadLetter(ISSUE_RESULTS), deadLetter(JOIN_TOKENS), deadLetter(DELIVERIES),
                deadLetter(RENEWAL_REQUESTS), WEBHOOK_DELIVERIES).stream()
                .map(t -> new Definition(t, false)).toList();
        return java.util.stream.Stream.concat(state.stream(), events.stream()).toList();
    }

    private Topics() {
    }
}
