package dev.sigil.output.agent.proof;

/** Method {@code token}: the join token's secret, sent as the join's token, is the whole proof; it works once. */
final class JoinTokenSecret implements ProofSource {
    @Override
    public JoinProof prove(Challenges challenges) {
        return JoinProof.NONE;
    }

    @Override
    public boolean renewsWithIdentity() {
        return true;
    }

    @Override
    public boolean joinsAgain() {
        return false;
    }
}
