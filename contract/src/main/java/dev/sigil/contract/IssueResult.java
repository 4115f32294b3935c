package dev.sigil.contract;

import java.util.List;

/**
 * The answer to an {@link IssueRequest} on {@code sigil.issue.results}: exactly one of {@code identity} and
 * {@code refusal} is set.
 *
 * <p>An issued result names Sigil's CA bundle by its {@link CaBundle#version() version} ({@code caVersion}); readers
 * take the bundle from their own view of {@code sigil.ca} ({@link CaBundles}), so the bundle is not repeated in every
 * result. Results written before carry the bundle itself ({@code ca}), and so does what join-service answers a bot.
 */
public record IssueResult(String requestId, String bot, IssuedIdentity identity, List<IssuedOutput> outputs,
        Refusal refusal, CaBundle ca, String caVersion) {

    /** A result with its CA bundle inline, as written before bundles were named by version. */
    public IssueResult(String requestId, String bot, IssuedIdentity identity, List<IssuedOutput> outputs, Refusal refusal,
            CaBundle ca) {
        this(requestId, bot, identity, outputs, refusal, ca, null);
    }

    /** Certificates issued, with the CA bundle inline. */
    public static IssueResult issued(IssueRequest request, IssuedIdentity identity, List<IssuedOutput> outputs, CaBundle ca) {
        return new IssueResult(request.requestId(), request.bot(), identity, outputs, null, ca, null);
    }

    /** Certificates issued, naming the CA bundle by its version. */
    public static IssueResult issued(IssueRequest request, IssuedIdentity identity, List<IssuedOutput> outputs, String caVersion) {
        return new IssueResult(request.requestId(), request.bot(), identity, outputs, null, null, caVersion);
    }

    public static IssueResult refused(String requestId, String bot, Refusal refusal) {
        return new IssueResult(requestId, bot, null, null, refusal, null, null);
    }

    public boolean isIssued() {
        return identity != null;
    }

    /** Whether the CA bundle must be looked up by {@link #caVersion()}: issued, naming a bundle it does not carry. */
    public boolean namesCaByVersion() {
        return identity != null && ca == null && caVersion != null;
    }

    /** This result carrying {@code bundle} itself, exactly in the form written before versions (no caVersion). */
    public IssueResult withCa(CaBundle bundle) {
        return new IssueResult(requestId, bot, identity, outputs, refusal, bundle, null);
    }

    /** This result naming its bundle by {@code version} instead of carrying it. */
    public IssueResult withCaVersion(String version) {
        return new IssueResult(requestId, bot, identity, outputs, refusal, null, version);
    }
}
