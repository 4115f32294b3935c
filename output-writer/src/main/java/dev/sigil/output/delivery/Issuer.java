package dev.sigil.output.delivery;

import java.util.concurrent.TimeoutException;

import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.IssueResult;

/** Where deliveries get their certificates: the issuer over Kafka ({@link IssueRequests}), or a stand-in in tests. */
interface Issuer extends AutoCloseable {
    /**
     * The issuer's answer, issued or refused; {@link IssueRequests.RejectedAnswer} when the answer could not be used
     * (it was dead-lettered with the reason).
     */
    IssueResult issue(IssueRequest request) throws InterruptedException, TimeoutException;

    @Override
    void close();
}
