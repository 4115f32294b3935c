package dev.sigil.output.agent.proof;

import java.util.function.UnaryOperator;

/**
 * A platform that puts its OIDC token in an environment variable of the job: GitLab (the job's {@code id_tokens}
 * variable), CircleCI ({@code CIRCLE_OIDC_TOKEN_V2}), Spacelift ({@code SPACELIFT_OIDC_TOKEN}).
 */
final class EnvironmentIdToken implements ProofSource {
    private final UnaryOperator<String> env;
    private final String variable;
    private final String whatToDo;

    EnvironmentIdToken(UnaryOperator<String> env, String variable, String whatToDo) {
        this.env = env;
        this.variable = variable;
        this.whatToDo = whatToDo;
    }

    @Override
    public JoinProof prove(Challenges challenges) throws ProofUnavailableException {
        String token = env.apply(variable);
        if (token == null || token.isBlank()) {
            throw new ProofUnavailableException("the environment has no " + variable + ": " + whatToDo);
        }
        return JoinProof.idToken(token.trim());
    }
}
