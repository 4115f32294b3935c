package dev.sigil.contract;

import java.util.List;

/**
 * The answer to an {@link IssueRequest} on {@code sigil.issue.results}: exactly one of {@code identity} and
 * {@code refusal} is set.
 */
public record IssueResult(String requestId, String bot, IssuedIdentity identity, List<IssuedOutput> outputs,
        Refusal refusal, CaBundle ca) {
    public static IssueResult issued(IssueRequest request, IssuedIdentity identity, List<IssuedOutput> outputs, CaBundle ca) {
        return new IssueResult(request.requestId(), request.bot(), identity, outputs, null, ca);
    }

    public static IssueResult refused(String requestId, String bot, Refusal refusal) {
        return new IssueResult(requestId, bot, null, null, refusal, null);
    }

    public boolean isIssued() {
        return identity != null;
    }
}
