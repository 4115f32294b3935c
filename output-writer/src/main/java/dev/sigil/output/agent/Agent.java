package dev.sigil.output.agent;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.Refusal;
import dev.sigil.output.destination.DirectoryDestination;
import dev.sigil.output.output.Credentials;
import dev.sigil.output.output.IdentityOutput;
import dev.sigil.output.output.Outputs;
import dev.sigil.output.output.RenderOptions;
import dev.sigil.output.output.UnsafeOutputException;
import dev.sigil.output.agent.proof.ProofUnavailableException;
import dev.sigil.output.keys.HolderKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The bot agent, run on the machine or CI job that needs credentials: generates its key pair, joins, and writes
 * the identity output. Exit codes: 0 written, 2 refused by Sigil (the reason is printed), 1 anything else.
 */
@Command(name = "sigil-agent", mixinStandardHelpOptions = true, subcommands = { Agent.Start.class, Agent.Renew.class, KeypairCommand.class },
        description = "Sigil's bot agent: joins Sigil and writes short-lived SSH and X.509 credentials.")
public final class Agent {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Agent()).execute(args));
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Join Sigil, write the bot's identity and outputs, and keep them fresh "
            + "(or, with --oneshot, write them once and exit).", footerHeading = "%nJoin methods (--join-method), and what each needs:%n",
            footer = {
                "  token          --token-file (or --token, SIGIL_TOKEN): the secret of a join",
                "                 token an admin created. It works once; then the bot renews.",
                "  bound_keypair  --token <name>; the bot's key is kept in --storage; register",
                "                 its public key on the join token. After an outage the bot",
                "                 joins again (recovers) with the same key.",
                "  github         --token <name>; the workflow job needs",
                "                 `permissions: id-token: write`. The agent asks the runner's",
                "                 ACTIONS_ID_TOKEN_REQUEST_URL for a token for --audience.",
                "  gitlab         --token <name>; the job declares",
                "                 `id_tokens: { SIGIL_ID_TOKEN: { aud: sigil.local } }`",
                "                 (another variable: --gitlab-id-token-var).",
                "  circleci       --token <name>; run the job with a context, so CircleCI",
                "                 sets CIRCLE_OIDC_TOKEN_V2.",
                "  spacelift      --token <name>; Spacelift sets SPACELIFT_OIDC_TOKEN.",
                "  kubernetes     --token <name>; mount a projected service-account token",
                "                 (a serviceAccountToken volume, audience sigil.local) at",
                "                 /var/run/secrets/tokens/sigil-token or --kubernetes-token-path.",
                "  gcp            --token <name>; on a Compute Engine VM with a service",
                "                 account: the metadata server's identity token for",
                "                 --audience (GCE_METADATA_HOST: another metadata server).",
                "  azure          --token <name>; on an Azure VM with a managed identity:",
                "                 IMDS's access token for --audience, the resource (default",
                "                 https://management.azure.com/). AZURE_CLIENT_ID picks a",
                "                 user-assigned identity; SIGIL_AZURE_IMDS_ENDPOINT, another",
                "                 IMDS.",
                "  iam            --token <name>; AWS credentials from the default chain (env,",
                "                 profile, instance role): the agent signs sts:GetCallerIdentity",
                "                 (AWS_ENDPOINT_URL_STS: another STS endpoint).",
                "The default audience is sigil.local, Sigil's default cluster name. If the join",
                "token or your Sigil names another, give it with --audience (a refusal",
                "JWT_WRONG_AUDIENCE says which).",
                "Exit codes: 0 written, 2 refused by Sigil (the reason is printed), 1 otherwise." })
    static final class Start implements Callable<Integer> {
        @Option(names = { "-c", "--config" }, description = "A YAML config in tbot's v2 shape; flags override it.")
        Path config;

        @Option(names = "--oneshot", description = "Join, write the outputs and exit (the ephemeral CI case).")
        boolean oneshot;

        @Option(names = "--join-url", defaultValue = "${env:SIGIL_JOIN_URL}",
                description = "join-service's URL, e.g. https://localhost:8443 (env SIGIL_JOIN_URL).")
        String joinUrl;

        @Option(names = "--ca-pin", split = ",", defaultValue = "${env:SIGIL_CA_PINS}",
                description = "sha256:<hex> of Sigil's CA public key; join-service's HTTPS must chain to it (env SIGIL_CA_PINS).")
        List<String> caPins;

        @Option(names = "--join-method", defaultValue = "${env:SIGIL_JOIN_METHOD}", description = "How the bot proves itself: "
                + "token, bound_keypair, github, gitlab, circleci, spacelift, kubernetes, gcp, azure or iam (default: token; "
                + "env SIGIL_JOIN_METHOD). See below for what each needs.")
        String joinMethod;

        @Option(names = "--token", defaultValue = "${env:SIGIL_TOKEN}",
                description = "The join token: its secret for method token (prefer --token-file, which ps cannot show), "
                        + "its name for the others (env SIGIL_TOKEN).")
        String token;

        @Option(names = "--token-file", description = "A file holding the join token.")
        Path tokenFile;

        @Option(names = "--audience", defaultValue = "${env:SIGIL_AUDIENCE}", description = "The audience to request the "
                + "platform token for (github, gcp; for azure the resource). Default: what join-service expects by default, "
                + "the cluster name sigil.local (azure: https://management.azure.com/); env SIGIL_AUDIENCE.")
        String audience;

        @Option(names = "--gitlab-id-token-var", description = "The GitLab job's id_tokens variable holding the token "
                + "(default: SIGIL_ID_TOKEN).")
        String gitlabIdTokenVar;

        @Option(names = "--kubernetes-token-path", defaultValue = "${env:KUBERNETES_TOKEN_PATH}", description = "The "
                + "projected service-account token file, read fresh for each join (default: "
                + "/var/run/secrets/tokens/sigil-token; env KUBERNETES_TOKEN_PATH).")
        Path kubernetesTokenPath;

        @Option(names = "--id-token-file", description = "For any OIDC method: read the platform token from this file "
                + "(fresh for each join) instead of asking the platform.")
        Path idTokenFile;

        @Option(names = "--destination", description = "A directory to write the identity output to.")
        Path destination;

        @Option(names = "--storage", description = "A directory to keep the bot's own identity in, so a restart renews it.")
        Path storage;

        @Option(names = "--credential-ttl", description = "How long the certificates should last, e.g. 1h (capped by policy).")
        String ttl;

        @Option(names = "--renewal-interval", description = "How often the daemon renews, e.g. 20m.")
        String renewalInterval;

        @Option(names = "--kafka-bootstrap", description = "Kafka brokers to hear renewal-due events from (agents inside the cluster).")
        String kafkaBootstrap;

        @Option(names = "--kafka-identity", description = "The bus identity directory (ca.crt, user.crt, user.key) to read "
                + "renewal-due events with; default: $SIGIL_SERVICE_IDENTITY_DIR.")
        Path kafkaIdentity;

        @Override
        public Integer call() throws Exception {
            AgentConfig settings;
            try {
                settings = settings();
            } catch (IllegalArgumentException e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 1;
            }
            BotAgent agent;
            try {
                agent = new BotAgent(settings, new JoinClient(URI.create(settings.joinUrl), settings.caPins), System.out);
            } catch (IllegalArgumentException e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 1;
            }
            if (!settings.oneshot) {
                return agent.runDaemon(System.err);
            }
            try {
                agent.refresh("joined");
            } catch (JoinClient.JoinRefusedException refused) {
                System.err.println("sigil-agent: join refused (" + refused.refusal().code() + "): " + refused.refusal().message()
                        + (Refusal.JWT_WRONG_AUDIENCE.equals(refused.refusal().code()) ? " (give it with --audience)" : ""));
                return 2;
            } catch (BotAgent.OperatorActionNeeded e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 2;
            } catch (ProofUnavailableException e) {
                System.err.println("sigil-agent: cannot get the " + settings.joinMethod + " proof: " + e.getMessage());
                return 1;
            } catch (UnsafeOutputException e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 1;
            } catch (java.io.IOException e) {
                System.err.println(ioProblem(settings.joinUrl, e));
                return 1;
            }
            return 0;
        }

        /** The config file, if any, with the flags laid over it. */
        AgentConfig settings() throws java.io.IOException {
            AgentConfig c = config != null ? AgentConfig.load(config) : new AgentConfig();
            c.oneshot |= oneshot;
            c.joinUrl = joinUrl != null ? joinUrl : c.joinUrl;
            c.caPins = caPins != null && !caPins.isEmpty() ? caPins : c.caPins;
            c.joinMethod = joinMethod != null ? joinMethod : c.joinMethod;
            c.token = tokenFile != null ? Files.readString(tokenFile).trim() : token != null ? token : c.token;
            c.idTokenPath = idTokenFile != null ? idTokenFile : c.idTokenPath;
            c.audience = audience != null ? audience : c.audience;
            c.gitlabIdTokenVar = gitlabIdTokenVar != null ? gitlabIdTokenVar : c.gitlabIdTokenVar;
            c.kubernetesTokenPath = kubernetesTokenPath != null ? kubernetesTokenPath : c.kubernetesTokenPath;
            c.kafkaBootstrap = kafkaBootstrap != null ? kafkaBootstrap : c.kafkaBootstrap;
            c.kafkaIdentity = kafkaIdentity != null ? kafkaIdentity : c.kafkaIdentity;
            c.credentialTtl = ttl != null ? EventJson.parseDuration(ttl) : c.credentialTtl;
            c.renewalInterval = renewalInterval != null ? EventJson.parseDuration(renewalInterval) : c.renewalInterval;
            if (storage != null) {
                c.storage = new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, storage.toAbsolutePath().toString());
            }
            if (destination != null) {
                // The identity at --destination: written as the bot's own storage, so `sigil-agent renew` finds it.
                c.storage = new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, destination.toAbsolutePath().toString());
            }
            if (c.joinUrl == null) {
                throw new IllegalArgumentException("give join-service's URL with --join-url, SIGIL_JOIN_URL or join_url in the config");
            }
            if (c.token == null || c.token.isBlank()) {
                throw new IllegalArgumentException("token".equals(c.joinMethod)
                        ? "give the join token with --token-file, --token, SIGIL_TOKEN or onboarding.token"
                        : "give the name of the " + c.joinMethod + " join token with --token, SIGIL_TOKEN or onboarding.token");
            }
            if (c.storage.type().equals(DeliverySpec.Destination.MEMORY) && c.outputs.isEmpty()) {
                throw new IllegalArgumentException("nothing to write: give --destination, storage or outputs");
            }
            return c;
        }
    }

    @Command(name = "renew", mixinStandardHelpOptions = true, description = "Renew the identity in --destination with itself (token and bound_keypair bots).")
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
            } catch (java.io.IOException e) {
                System.err.println(ioProblem(joinUrl.toString(), e));
                return 1;
            }
            try {
                write(result, next, destination);
            } catch (UnsafeOutputException e) {
                System.err.println("sigil-agent: " + e.getMessage());
                return 1;
            }
            return 0;
        }
    }

    /** One line for a join-service the agent could not talk to, or a file it could not write (a stack trace helps nobody in a CI log). */
    private static String ioProblem(String joinUrl, java.io.IOException e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof java.nio.file.FileSystemException) {
            return "sigil-agent: cannot write " + reason;
        }
        return "sigil-agent: cannot reach join-service at " + joinUrl + " (" + reason + "); check --join-url and that "
                + "this machine can connect to it";
    }

    private static void write(IssueResult result, HolderKey key, Path destination) throws java.io.IOException {
        DirectoryDestination directory = new DirectoryDestination(destination);
        directory.write(Outputs.render(Credentials.identity(result, key), RenderOptions.DEFAULTS,
                new DeliverySpec.Destination(DeliverySpec.Destination.DIRECTORY, directory.directory().toString())));
        var id = result.identity();
        System.out.println("Renewed the identity of bot " + result.bot() + " (instance " + id.instanceId() + ", generation "
                + id.generation() + ") in " + directory.directory() + " (valid until " + id.validBefore() + ").");
    }
}
