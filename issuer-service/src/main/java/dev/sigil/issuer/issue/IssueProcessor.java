package dev.sigil.issuer.issue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.jboss.logging.Logger;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.CaBundle;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.IssuedOutput;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;
import dev.sigil.issuer.ca.CertificateAuthority;
import dev.sigil.issuer.ca.SshPublicKeys;
import dev.sigil.issuer.policy.Decision;
import dev.sigil.issuer.policy.IssuancePolicy;
import dev.sigil.issuer.policy.OutputGrant;
import dev.sigil.issuer.sender.RequestSenders;

/**
 * Answers issue requests from {@code sigil.issue.requests}: refuses a malformed request or a join token already
 * used, checks policy, signs, and forwards the result to {@code sigil.issue.results} and an audit line to
 * {@code sigil.audit}. Platform tokens and challenges are first claimed once across all bots
 * ({@link ProofClaimProcessor}) and come back on {@code sigil.issue.claimed}. Runs under exactly-once, so a proof
 * is marked used in the same transaction that publishes the certificate; requests are keyed by bot, so every use of
 * one join token meets on one partition. A request that fails here is answered with a refusal, never left to stop
 * the stream: one bad request must not take the CA down for every bot.
 */
final class IssueProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(IssueProcessor.class);
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    static final String STAGE = "issue";

    private final CertificateAuthority ca;
    private final boolean clusterRequiresSessionMfa;
    private final RecordFailures failures;
    /** Who may ask; null when the issuer was started without a bus identity (then requests are not checked). */
    private final RequestSenders senders;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> usedProofs;
    private KeyValueStore<String, String> instances;
    private KeyValueStore<String, String> joinCounts;
    private WindowStore<String, String> answers;
    private KeyValueStore<String, String> deliveries;
    private IssuancePolicy policy;
    /** Results carry the whole CA bundle, as before versions (for measuring the difference); else they name it. */
    private final boolean inlineCaBundle;
    private CaBundle versionedBundle;
    private String versionOfBundle;

    IssueProcessor(CertificateAuthority ca, boolean clusterRequiresSessionMfa, RecordFailures failures,
            RequestSenders senders, boolean inlineCaBundle) {
        this.inlineCaBundle = inlineCaBundle;
        this.ca = ca;
        this.senders = senders;
        this.clusterRequiresSessionMfa = clusterRequiresSessionMfa;
        this.failures = failures;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.usedProofs = context.getStateStore(IssueTopology.USED_PROOFS);
        this.instances = context.getStateStore(IssueTopology.INSTANCES);
        this.joinCounts = context.getStateStore(IssueTopology.JOIN_COUNTS);
        this.answers = context.getStateStore(IssueTopology.ANSWERS);
        this.deliveries = context.getStateStore(IssueTopology.DELIVERIES);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpiredProofs);
        this.policy = new IssuancePolicy(new StoreDesiredState(context.getStateStore(IssueTopology.BOTS),
                context.getStateStore(IssueTopology.ROLES), context.getStateStore(IssueTopology.LOCKS),
                context.getStateStore(IssueTopology.LEAF_CLUSTERS), context.getStateStore(IssueTopology.JOIN_TOKENS)),
                ca.bundle().clusterName(),
                clusterRequiresSessionMfa);
    }

    @Override
    public void process(Record<String, String> record) {
        IssueRequest request;
        try {
            request = EventJson.read(record.value(), IssueRequest.class);
        } catch (RuntimeException e) { // not only MalformedEventException: never let one record stop the CA
            deadLetter(record, e.getMessage());
            return;
        }
        if (Names.RESOURCE.problem(request.requestId()).isPresent() || Names.RESOURCE.problem(request.bot()).isPresent()) {
            deadLetter(record, "an issue request needs a requestId and a bot, each " + "a valid name: "
                    + Names.RESOURCE.problem(request.requestId()).or(() -> Names.RESOURCE.problem(request.bot())).get());
            return;
        }
        try {
            Optional<String> problem = request.problem();
            if (problem.isPresent()) {
                IssueResult refused = IssueAnswers.refused(request, Refusal.MALFORMED_REQUEST, problem.get());
                IssueAnswers.ISSUE.answer(context, record, request.bot(), refused, IssueAnswers.audit(request, refused));
            } else if (arrivedUnclaimed() && untrustedSender(record, request)) {
                return;
            } else if (arrivedUnclaimed() && ProofClaimProcessor.claimedAcrossBots(request.attestation())) {
                context.forward(record.withKey(request.attestation().proofId()), IssueTopology.PROOF_CLAIMS_SINK);
            } else {
                answer(record, request);
            }
        } catch (RuntimeException e) {
            failures.failed(STAGE, e);
            LOG.errorf(e, "issue request %s of bot %s failed; answering it with %s", request.requestId(), request.bot(),
                    Refusal.ISSUANCE_FAILED);
            IssueResult refused = IssueAnswers.refused(request, Refusal.ISSUANCE_FAILED, "the issuer could not sign this "
                    + "request (" + e.getClass().getSimpleName() + "); nothing was issued. Check the names and keys it "
                    + "carries, or ask an admin to look for request " + request.requestId() + " in the issuer's log");
            IssueAnswers.ISSUE.answer(context, record, request.bot(), refused, IssueAnswers.audit(request, refused));
        }
    }

    private void answer(Record<String, String> record, IssueRequest request) {
        Instant now = Instant.now();
        IssueResult earlier = earlierAnswer(request, now);
        IssueResult result = earlier;
        if (result == null) {
            result = issue(request, now);
            if (result.isIssued()) {
                answers.put(request.requestId(), EventJson.write(inlineCaBundle ? AnsweredRequest.withKey(request, result)
                        : AnsweredRequest.of(request, result)), now.toEpochMilli());
            }
        } else if (earlier.namesCaByVersion() && !earlier.caVersion().equals(caVersion(ca.bundle()))) {
            // The same certificates, with the trust the cluster publishes now: a reader started since may no longer
            // find the older bundle on sigil.ca, which is compacted.
            result = earlier.withCaVersion(caVersion(ca.bundle()));
        }
        // certificates given again were audited when they were issued
        IssueAnswers.ISSUE.answer(context, record, request.bot(), result,
                earlier == null || !earlier.isIssued() ? IssueAnswers.audit(request, result) : null);
    }

    /**
     * Refuses (and audits) a request whose sender is not a Sigil service entitled to ask for it; true if it did.
     * Checked before a proof is claimed, so a forged request cannot use up someone else's platform token.
     */
    private boolean untrustedSender(Record<String, String> record, IssueRequest request) {
        if (senders == null) {
            return false;
        }
        Optional<String> problem;
        try {
            RequestSenders.Sender sender = senders.verify(record.headers(), record.value(), Instant.now());
            problem = RequestSenders.notEntitled(sender, request, deliveryNode(request.attestation().joinToken()));
        } catch (RequestSenders.SenderRefused e) {
            problem = Optional.of(e.refusal().message());
        }
        problem.ifPresent(p -> {
            LOG.warnf("refused issue request %s for bot %s: %s", request.requestId(), request.bot(), Names.printable(p));
            IssueResult refused = IssueAnswers.refused(request, Refusal.SENDER_NOT_TRUSTED, p);
            IssueAnswers.ISSUE.answer(context, record, request.bot(), refused, IssueAnswers.audit(request, refused));
        });
        return problem.isPresent();
    }

    /** The node a delivery is written on, if the delivery exists and names one. */
    private Optional<String> deliveryNode(String deliveryId) {
        String json = deliveryId == null ? null : deliveries.get(deliveryId);
        try {
            return json == null ? Optional.empty() : Optional.ofNullable(EventJson.read(json, DeliverySpec.class).node());
        } catch (MalformedEventException e) {
            return Optional.empty();
        }
    }

    /** Whether the record came straight from {@code sigil.issue.requests}, not back from the proof claim. */
    private boolean arrivedUnclaimed() {
        return context.recordMetadata().map(m -> Topics.ISSUE_REQUESTS.equals(m.topic())).orElse(true);
    }

    private void deadLetter(Record<String, String> record, String why) {
        String reason = why == null ? "unreadable issue request" : why.length() > 1000 ? why.substring(0, 1000) + "…" : why;
        failures.deadLettered(Topics.ISSUE_REQUESTS);
        LOG.warnf("dead-lettering an unreadable issue request at offset %s: %s",
                context.recordMetadata().map(m -> m.partition() + "/" + m.offset()).orElse("?"), Names.printable(reason));
        context.forward(record.withHeaders(ReplyHeaders.withDeadLetterReason(record.headers(), reason)),
                IssueTopology.DEAD_LETTER_SINK);
    }

    /**
     * A retried request (same request id, same bot and key) gets the certificates it was issued the first time,
     * never a second set; a request id reused for anything else is refused.
     */
    private IssueResult earlierAnswer(IssueRequest request, Instant now) {
        String json = null;
        try (WindowStoreIterator<String> earlier = answers.fetch(request.requestId(),
                now.minus(IssueTopology.REMEMBER_ANSWERS), now.plus(CLOCK_SKEW))) {
            while (earlier.hasNext()) {
                json = earlier.next().value;
            }
        }
        if (json == null) {
            return null;
        }
        AnsweredRequest earlier = EventJson.read(json, AnsweredRequest.class);
        if (earlier.answers(request)) {
            return earlier.result();
        }
        return refused(request, Refusal.MALFORMED_REQUEST, "request id " + request.requestId()
                + " was already used for another request; use a fresh request id for each new request");
    }

    private IssueResult issue(IssueRequest request, Instant now) {
        Attestation attestation = request.attestation();
        String proof = attestation.proofId();
        // platform tokens and challenges were claimed once across all bots before they got here
        boolean claimed = ProofClaimProcessor.claimedAcrossBots(attestation);
        if (proof != null && !claimed && usedProofs.get(proof) != null) {
            return refused(request, replayCode(proof), replayMessage(proof, attestation.joinMethod()));
        }
        if (attestation.proofExpires() != null && !now.isBefore(attestation.proofExpires())) {
            return refused(request, expiryCode(proof), "the proof expired at " + attestation.proofExpires()
                    + (expiryCode(proof).equals(Refusal.TOKEN_EXPIRED) ? "; ask an admin for a new join token"
                            : "; get a fresh one and try again"));
        }
        SshPublicKeys publicKey;
        List<SshPublicKeys> outputKeys = new ArrayList<>();
        try {
            publicKey = SshPublicKeys.parse(request.publicKey());
            for (OutputRequest output : request.outputs()) {
                outputKeys.add(parseOutputKey(output));
            }
        } catch (RuntimeException e) { // a hostile key may break the parser in more ways than it reports
            return refused(request, Refusal.INVALID_PUBLIC_KEY, e instanceof IllegalArgumentException && e.getMessage() != null
                    ? e.getMessage() : "a public key is not a valid OpenSSH public key line");
        }
        BotInstance instance;
        BotInstanceStatus status;
        long joinsSoFar = joinCount(attestation.joinToken());
        if (Attestation.DELIVERY.equals(attestation.joinMethod())) {
            IssueResult unknown = checkDelivery(request);
            if (unknown != null) {
                return unknown;
            }
            // One instance per delivery; whichever output-writer replica holds it renews it with a fresh key.
            String id = Attestation.deliveryInstance(attestation.joinToken());
            BotInstanceStatus stored = instance(id);
            if (stored != null && stored.lockedReason() != null) {
                return refused(request, Refusal.LOCKED, "instance:" + id + " is locked: " + stored.lockedReason()
                        + "; an admin must remove the lock");
            }
            instance = stored == null ? new BotInstance(id, 1, Attestation.DELIVERY, attestation.joinToken()) : stored.instance().next();
            status = stored == null ? new BotInstanceStatus(request.bot(), instance, null, null) : stored;
        } else if (request.renewal() == null) {
            IssueResult overLimit = checkLimits(request, joinsSoFar, now);
            if (overLimit != null) {
                return overLimit;
            }
            instance = new BotInstance(UUID.randomUUID().toString(), 1, attestation.joinMethod(), attestation.joinToken());
            status = new BotInstanceStatus(request.bot(), instance, null, null);
        } else {
            BotInstanceStatus stored = instance(request.renewal().instanceId());
            if (stored == null || !stored.instance().joinMethod().equals(request.renewal().joinMethod())
                    || (stored.bot() != null && !stored.bot().equals(request.bot()))) {
                return refused(request, Refusal.UNKNOWN_INSTANCE, "bot instance " + request.renewal().instanceId()
                        + " is not known; join again with the bot's join method");
            }
            if (stored.instance().generation() != request.renewal().generation()) {
                return copiedIdentity(request, stored);
            }
            if (stored.lockedReason() != null) {
                return refused(request, Refusal.LOCKED, "instance:" + stored.instance().instanceId() + " is locked: "
                        + stored.lockedReason() + "; an admin must remove the lock, then the bot joins again");
            }
            instance = stored.instance().next();
            status = stored;
        }
        Decision decision = policy.decide(request);
        if (!decision.allowed()) {
            return IssueResult.refused(request.requestId(), request.bot(), decision.refusal());
        }
        IssuedIdentity identity = ca.issue(request.bot(), publicKey, decision.grant(), instance, now);
        List<IssuedOutput> outputs = new ArrayList<>();
        for (int i = 0; i < decision.outputs().size(); i++) {
            OutputGrant output = decision.outputs().get(i);
            outputs.add(ca.issueOutput(request.bot(), output.output(), outputKeys.get(i), output.grant(), output.leaf(),
                    instance, now));
        }
        String kind = Attestation.DELIVERY.equals(attestation.joinMethod()) ? "deliver" : request.renewal() == null ? "join"
                : IssuancePolicy.SELF_RENEWING.contains(attestation.joinMethod()) ? "renew" : "rejoin";
        save(status.authenticated(instance, new BotInstanceStatus.Authentication(now, kind, attestation.joinMethod(),
                instance.generation(), request.requestId(), request.host())));
        if (request.renewal() == null && attestation.limits() != null) {
            joinCounts.put(attestation.joinToken(), String.valueOf(joinsSoFar + 1));
        }
        if (proof != null && !claimed) {
            usedProofs.put(proof, String.valueOf(expiryOf(attestation).toEpochMilli()));
        }
        CaBundle bundle = ca.bundle();
        return inlineCaBundle ? IssueResult.issued(request, identity, outputs, bundle)
                : IssueResult.issued(request, identity, outputs, caVersion(bundle));
    }

    /** The version of the bundle results name; computed once per bundle, which changes only with a rotation. */
    private String caVersion(CaBundle bundle) {
        if (bundle != versionedBundle) {
            versionOfBundle = bundle.version();
            versionedBundle = bundle;
        }
        return versionOfBundle;
    }

    /**
     * A renewal presenting an old generation: someone else renewed this identity since, so it was copied. The
     * instance is locked at once here and on {@code sigil.locks} for every replica and service.
     */
    private IssueResult copiedIdentity(IssueRequest request, BotInstanceStatus stored) {
        String reason = "generation mismatch: a renewal presented generation " + request.renewal().generation()
                + " but the instance is at " + stored.instance().generation() + ", so its identity was copied";
        save(stored.locked(reason));
        String target = LockSpec.instance(stored.instance().instanceId());
        context.forward(new Record<>(target, EventJson.write(new LockSpec(target, reason, null)), System.currentTimeMillis()),
                IssueTopology.LOCKS_SINK);
        LOG.warnf("locked bot %s %s: %s", request.bot(), target, reason);
        return refused(request, Refusal.GENERATION_MISMATCH, reason + "; the instance is locked, investigate where "
                + "the bot's credentials were copied, then remove the lock and join again");
    }

    /** A delivery request names a delivery that exists, for this bot. */
    private IssueResult checkDelivery(IssueRequest request) {
        String id = request.attestation().joinToken();
        String json = id == null ? null : deliveries.get(id);
        if (json == null || !request.bot().equals(deliveryBot(json))) {
            return refused(request, Refusal.DELIVERY_UNKNOWN, "there is no delivery '" + id + "' of bot " + request.bot()
                    + " on sigil.deliveries; create it with POST /v1/admin/deliveries");
        }
        return null;
    }

    /** The bot of a delivery record; an unreadable one (output-writer dead-letters it) belongs to no bot. */
    private static String deliveryBot(String json) {
        try {
            return EventJson.read(json, DeliverySpec.class).bot();
        } catch (MalformedEventException e) {
            return null;
        }
    }

    private static SshPublicKeys parseOutputKey(OutputRequest output) {
        try {
            return SshPublicKeys.parse(output.publicKey());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("output '" + output.name() + "': " + e.getMessage());
        }
    }

    /** A new instance from a join token with limits: within its registration deadline and its number of joins. */
    private static IssueResult checkLimits(IssueRequest request, long joinsSoFar, Instant now) {
        Attestation.JoinLimits limits = request.attestation().limits();
        if (limits == null) {
            return null;
        }
        if (joinsSoFar == 0 && limits.firstJoinBefore() != null && !now.isBefore(limits.firstJoinBefore())) {
            return refused(request, Refusal.REGISTRATION_CLOSED, "join token '" + request.attestation().joinToken()
                    + "' had to be joined with first before " + limits.firstJoinBefore() + "; ask an admin for a new token");
        }
        if (limits.maxJoins() != null && joinsSoFar >= limits.maxJoins()) {
            return refused(request, Refusal.JOIN_LIMIT_REACHED, "join token '" + request.attestation().joinToken()
                    + "' was joined with " + joinsSoFar + " times, its limit; an admin can raise recovery_limit if this bot "
                    + "really lost its identity again");
        }
        return null;
    }

    private long joinCount(String joinToken) {
        String count = joinToken == null ? null : joinCounts.get(joinToken);
        return count == null ? 0 : Long.parseLong(count);
    }

    private BotInstanceStatus instance(String id) {
        String json = id == null ? null : instances.get(id);
        return json == null ? null : EventJson.read(json, BotInstanceStatus.class);
    }

    /** Keeps the instance's status here and publishes it on {@code sigil.bot-instances} for admins to see. */
    private void save(BotInstanceStatus status) {
        String json = EventJson.write(status);
        instances.put(status.instance().instanceId(), json);
        context.forward(new Record<>(status.instance().instanceId(), json, System.currentTimeMillis()), IssueTopology.INSTANCES_SINK);
    }

    private static String replayCode(String proof) {
        return proof.startsWith("jwt:") ? Refusal.JWT_REPLAYED
                : proof.startsWith("challenge:") ? Refusal.PROOF_REPLAYED : Refusal.TOKEN_ALREADY_USED;
    }

    private static String replayMessage(String proof, String method) {
        return switch (replayCode(proof)) {
            case Refusal.JWT_REPLAYED -> "this " + method + " token was already used to join; each job must present a fresh platform token";
            case Refusal.PROOF_REPLAYED -> "this signed challenge was already used; get a fresh challenge and sign it again";
            default -> "this join token was already used; join tokens of method 'token' work once: ask an admin for a new one";
        };
    }

    private static String expiryCode(String proof) {
        return proof == null || proof.startsWith("challenge:") ? Refusal.CHALLENGE_INVALID
                : proof.startsWith("jwt:") ? Refusal.JWT_EXPIRED : Refusal.TOKEN_EXPIRED;
    }

    /** A proof with no expiry of its own is remembered for a day past its use. */
    static Instant expiryOf(Attestation attestation) {
        return attestation.proofExpires() != null ? attestation.proofExpires() : Instant.now().plus(Duration.ofDays(1));
    }

    /**
     * Forgets proofs whose token has expired (refused on expiry alone from then on). Answers need no purge: their
     * window store drops each half hour's segment whole once it is older than {@link IssueTopology#REMEMBER_ANSWERS}.
     */
    private void purgeExpiredProofs(long nowMillis) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> all = usedProofs.all()) {
            all.forEachRemaining(kv -> {
                if (Long.parseLong(kv.value) < nowMillis - CLOCK_SKEW.toMillis()) {
                    expired.add(kv.key);
                }
            });
        }
        expired.forEach(usedProofs::delete);
    }

    private static IssueResult refused(IssueRequest request, String code, String message) {
        return IssueAnswers.refused(request, code, message);
    }
}
