package dev.sigil.issuer.issue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.ReplyHeaders;
import dev.sigil.contract.Topics;

/**
 * Claims platform tokens and challenges once, whichever bot presents them: reads {@code sigil.issue.proof-claims},
 * keyed by proof id, so every use of one proof meets on one partition even when two bots' join tokens both accept
 * it. The first request (by request id; a retry of it passes again) goes on to {@code sigil.issue.claimed}, keyed by
 * bot, for issuance; any other is refused as a replay. A claimed proof stays used even if issuance then refuses:
 * the job presents a fresh platform token or challenge, as it must for every join anyway.
 */
final class ProofClaimProcessor implements Processor<String, String, String, String> {
    private static final Logger LOG = Logger.getLogger(ProofClaimProcessor.class);
    static final String STAGE = "proof-claim";
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

    private final RecordFailures failures;
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, String> claims;

    ProofClaimProcessor(RecordFailures failures) {
        this.failures = failures;
    }

    /** Proofs that are not tied to one join token, so only a claim across all bots makes them single-use. */
    static boolean claimedAcrossBots(Attestation attestation) {
        String proof = attestation == null ? null : attestation.proofId();
        return proof != null && (proof.startsWith("jwt:") || proof.startsWith("challenge:"));
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.claims = context.getStateStore(IssueTopology.PROOF_CLAIMS);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpired);
    }

    @Override
    public void process(Record<String, String> record) {
        IssueRequest request;
        try {
            request = EventJson.read(record.value(), IssueRequest.class);
        } catch (RuntimeException e) { // only the issuer writes this topic; still, never stop on one record
            deadLetter(record, "unreadable claim: " + e);
            return;
        }
        try {
            claim(record, request);
        } catch (RuntimeException e) {
            failures.failed(STAGE, e);
            LOG.errorf(e, "could not claim the proof of issue request %s", Names.printable(String.valueOf(request.requestId())));
            if (request.requestId() == null || request.bot() == null) {
                deadLetter(record, "claim failed: " + e);
                return;
            }
            IssueResult refused = IssueAnswers.refused(request, Refusal.ISSUANCE_FAILED,
                    "the issuer could not check this request's proof; nothing was issued. Try again with a fresh proof");
            IssueAnswers.CLAIM.answer(context, record, request.bot(), refused, IssueAnswers.audit(request, refused));
        }
    }

    private void claim(Record<String, String> record, IssueRequest request) {
        String proof = record.key();
        if (proof == null || !proof.equals(request.attestation().proofId())) {
            throw new IllegalArgumentException("a proof claim must be keyed by the request's proof id");
        }
        String held = claims.get(proof);
        if (held != null && !held.substring(held.indexOf(' ') + 1).equals(request.requestId())) {
            boolean jwt = proof.startsWith("jwt:");
            IssueResult refused = IssueAnswers.refused(request, jwt ? Refusal.JWT_REPLAYED : Refusal.PROOF_REPLAYED,
                    jwt ? "this " + request.attestation().joinMethod() + " token was already used to join; each job must "
                            + "present a fresh platform token"
                            : "this signed challenge was already used; get a fresh challenge and sign it again");
            IssueAnswers.CLAIM.answer(context, record, request.bot(), refused, IssueAnswers.audit(request, refused));
            return;
        }
        if (held == null) {
            claims.put(proof, IssueProcessor.expiryOf(request.attestation()).toEpochMilli() + " " + request.requestId());
        }
        context.forward(record.withKey(request.bot()), IssueTopology.CLAIMED_SINK);
    }

    private void deadLetter(Record<String, String> record, String reason) {
        failures.deadLettered(Topics.ISSUE_PROOF_CLAIMS);
        context.forward(record.withHeaders(ReplyHeaders.withDeadLetterReason(record.headers(), reason)),
                IssueTopology.CLAIM_DEAD_LETTER_SINK);
    }

    /** Forgets claims whose proof has expired: from then on the proof is refused on its expiry alone. */
    private void purgeExpired(long nowMillis) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> all = claims.all()) {
            all.forEachRemaining(kv -> {
                if (Long.parseLong(kv.value.substring(0, kv.value.indexOf(' '))) < nowMillis - IssueProcessor.CLOCK_SKEW.toMillis()) {
                    expired.add(kv.key);
                }
            });
        }
        expired.forEach(claims::delete);
    }
}
