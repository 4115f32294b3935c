package dev.sigil.issuer.issue;

import dev.sigil.contract.IssueResult;

/**
 * An issued answer kept by request id for {@link IssueTopology#REMEMBER_ANSWERS}, so a retried request gets it again
 * instead of new certificates.
 */
record AnsweredRequest(String bot, String publicKey, IssueResult result) {
}
