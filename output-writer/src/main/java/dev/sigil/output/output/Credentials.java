package dev.sigil.output.output;

import java.time.Instant;
import java.util.List;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.IssuedOutput;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.keys.HolderKey;

/**
 * What one output is rendered from: the certificates issued for one key, what they grant, Sigil's CAs, and the
 * holder's key. Built from the bot's own identity or from one requested output of an issue result.
 */
public record Credentials(String bot, String kind, String sshCertificate, String tlsCertificate, List<String> principals,
        Instant validBefore, String cluster, String leafHostCa, CaBundle ca, HolderKey key) {

    /** The bot's own identity of an issue result, for the key its public half was sent for. */
    public static Credentials identity(IssueResult result, HolderKey key) {
        IssuedIdentity id = result.identity();
        return new Credentials(result.bot(), OutputRequest.IDENTITY, id.sshCertificate(), id.tlsCertificate(),
                id.principals(), id.validBefore(), null, null, result.ca(), key);
    }

    /** One requested output of an issue result, for the key its public half was sent for. */
    public static Credentials output(IssueResult result, IssuedOutput output, HolderKey key) {
        return new Credentials(result.bot(), output.kind(), output.sshCertificate(), output.tlsCertificate(),
                output.principals(), output.validBefore(), output.cluster(), output.hostCa(), result.ca(), key);
    }

    /**
     * The X.509 CAs that vouch for this kind's certificate, trusted right now: the database CA for {@code database}
     * (what the database server is told to trust), the Kubernetes CA for {@code kubernetes}, the bot CA otherwise.
     */
    public List<String> trustedTlsCas() {
        String purpose = switch (kind == null ? OutputRequest.IDENTITY : kind) {
            case OutputRequest.DATABASE -> CaBundle.DATABASE;
            case OutputRequest.KUBERNETES -> CaBundle.KUBERNETES;
            default -> CaBundle.BOT;
        };
        return ca.trustedX509Cas(purpose);
    }
}
