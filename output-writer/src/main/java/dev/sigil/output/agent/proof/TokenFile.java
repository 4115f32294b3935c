package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A platform token in a file, read fresh for every join because the platform rotates it: Kubernetes' projected
 * service-account token, or a token fetched by something else ({@code --id-token-file}).
 */
final class TokenFile implements ProofSource {
    private final Path file;
    private final String whatToDo;

    TokenFile(Path file, String whatToDo) {
        this.file = file;
        this.whatToDo = whatToDo;
    }

    @Override
    public JoinProof prove(Challenges challenges) throws IOException, ProofUnavailableException {
        String token;
        try {
            token = Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            throw new ProofUnavailableException("there is no token file " + file + ": " + whatToDo);
        }
        if (token.isEmpty()) {
            throw new ProofUnavailableException("the token file " + file + " is empty: " + whatToDo);
        }
        return JoinProof.idToken(token);
    }
}
