package dev.sigil.output.agent;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.output.destination.DirectoryDestination;
import dev.sigil.output.output.IdentityOutput;
import dev.sigil.output.keys.HolderKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The bot agent, run on the machine or CI job that needs credentials: generates its key pair, joins, and writes
 * the identity output. Exit codes: 0 written, 2 refused by Sigil (the reason is printed), 1 anything else.
 */
@Command(name = "sigil-agent", mixinStandardHelpOptions = true, subcommands = { Agent.Start.class, Agent.Renew.class },
        description = "Sigil's bot agent: joins Sigil and writes short-lived SSH and X.509 credentials.")
public final class Agent {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Agent()).execute(args));
    }

    @Command(name = "start", description = "Join Sigil and write the bot's identity output.")
    static final class Start implements Callable<Integer> {
        @Option(names = "--oneshot", description = "Join, write the outputs and exit (the ephemeral CI case).")
        boolean oneshot;

        @Option(names = "--join-url", required = true, defaultValue = "${env:SIGIL_JOIN_URL}",
                description = "join-service's URL, e.g. http://localhost:8080 (env SIGIL_JOIN_URL).")
        URI joinUrl;

        @Option(names = "--ca-pin", split = ",", defaultValue = "${env:SIGIL_CA_PINS}",
                description = "sha256:<hex> of Sigil's CA public key; join-service's HTTPS must chain to it (env SIGIL_CA_PINS).")
        List<String> caPins = new ArrayList<>();

        @Option(names = "--join-method", defaultValue = "token", description = "How the bot proves itself (default: ${DEFAULT-VALUE}).")
        String joinMethod;

        @Option(names = "--token", defaultValue = "${env:SIGIL_TOKEN}",
                description = "The join token's secret (env SIGIL_TOKEN; prefer --token-file, which ps cannot show).")
        String token;

        @Option(names = "--token-file", description = "A file holding the join token's secret.")
        Path tokenFile;

        @Option(names = "--destination", required = true, description = "The directory the identity output is written to.")
        Path destination;

        @Option(names = "--credential-ttl", description = "How long the certificates should last, e.g. 1h (capped by policy).")
        String ttl;

        @Override
        public Integer call() throws Exception {
            if (!oneshot) {
                System.err.println("sigil-agent: daemon mode needs identity renewal, which this build does not have yet; "
                        + "run with --oneshot and start it again to refresh");
                return 1;
            }
            String secret = tokenFile != null ? Files.readString(tokenFile).trim() : token;
            if (secret == null || secret.isBlank()) {
                System.err.println("sigil-agent: give the join token with --token-file, --token or SIGIL_TOKEN");
                return 1;
            }
            Duration credentialTtl = ttl == null ? null : EventJson.parseDuration(ttl);
            HolderKey key = HolderKey.generate();
            IssueResult result;
            try {
                result = new JoinClient(joinUrl, caPins == null ? List.of() : caPins).join(joinMethod, secret, key.publicKeyLine(), credentialTtl);
            } catch (JoinClient.JoinRefusedException refused) {
                System.err.println("sigil-agent: join refused (" + refused.refusal().code() + "): " + refused.refusal().message());
                return 2;
            }
            write(result, key, destination);
            return 0;
        }
    }

    @Command(name = "renew", description = "Renew the identity in --destination with itself (token and bound_keypair bots).")
    static final class Renew implements Callable<Integer> {
        @Option(names = "--join-url", required = true, defaultValue = "${env:SIGIL_JOIN_URL}", description = "join-service's URL.")
        URI joinUrl;

        @Option(names = "--ca-pin", split = ",", defaultValue = "${env:SIGIL_CA_PINS}", description = "sha256:<hex> of Sigil's CA public key.")
        List<String> caPins = new ArrayList<>();

        @Option(names = "--destination", required = true, description = "The directory holding the identity to renew.")
        Path destination;

        @Option(names = "--credential-ttl", description = "How long the new certificates should last (capped by policy).")
        String ttl;

        @Override
        public Integer call() throws Exception {
            HolderKey current = HolderKey.fromPkcs8(Files.readString(destination.resolve(IdentityOutput.TLS_KEY)));
            String certificate = Files.readString(destination.resolve(IdentityOutput.TLS_CERT));
            JoinClient client = new JoinClient(joinUrl, caPins == null ? List.of() : caPins);
            HolderKey next = HolderKey.generate();
            IssueResult result;
            try {
                String challenge = client.challenge();
                result = client.renew(certificate, challenge, current.sign(challenge.getBytes(StandardCharsets.UTF_8)),
                        next.publicKeyLine(), ttl == null ? null : EventJson.parseDuration(ttl));
            } catch (JoinClient.JoinRefusedException refused) {
                System.err.println("sigil-agent: renewal refused (" + refused.refusal().code() + "): " + refused.refusal().message());
                return 2;
            }
            write(result, next, destination);
            return 0;
        }
    }

    private static void write(IssueResult result, HolderKey key, Path destination) throws java.io.IOException {
        DirectoryDestination directory = new DirectoryDestination(destination);
        directory.write(IdentityOutput.render(result, key, directory.directory()));
        var id = result.identity();
        System.out.println("Wrote the identity of bot " + result.bot() + " (instance " + id.instanceId() + ", generation "
                + id.generation() + ") to " + directory.directory() + " (logins " + String.join(", ", id.principals())
                + "; valid until " + id.validBefore() + ").");
        if (id.notice() != null) {
            System.out.println("Note: " + id.notice());
        }
        System.out.println("Use it: ssh -F " + directory.directory().resolve(IdentityOutput.SSH_CONFIG) + " "
                + id.principals().get(0) + "@<host>");
    }
}
