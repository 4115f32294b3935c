package dev.sigil.output.agent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.output.agent.AgentConfig.AgentOutput;
import dev.sigil.output.destination.Destination;
import dev.sigil.output.destination.Destinations;
import dev.sigil.output.destination.OutputFile;
import dev.sigil.output.agent.proof.JoinProof;
import dev.sigil.output.agent.proof.ProofSource;
import dev.sigil.output.agent.proof.ProofSources;
import dev.sigil.output.agent.proof.ProofUnavailableException;
import dev.sigil.output.keys.HolderKey;
import dev.sigil.output.output.Credentials;
import dev.sigil.output.output.IdentityOutput;
import dev.sigil.output.output.Outputs;
import dev.sigil.output.output.RenderOptions;
import dev.sigil.output.output.UnsafeOutputException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The agent's work: join (or renew while its identity is valid), write the bot's identity to storage and every
 * output to its destination, and in daemon mode do it again on its interval, when its renewal is due or on SIGUSR1.
 * Token and bound_keypair bots renew with their current identity; delegated methods (GitHub, Kubernetes…) re-join
 * with a fresh proof from their {@link ProofSource}, presenting the identity they hold so the bot instance stays the same.
 */
final class BotAgent {
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final AgentConfig config;
    private final JoinClient client;
    private final ProofSource proof;
    private final PrintStream out;
    private final Destination storage;
    private final List<Destination> destinations = new ArrayList<>();
    private final BlockingQueue<String> triggers = new LinkedBlockingQueue<>();
    private KubernetesClient kubernetes;
    private HolderKey key;
    private String certificate;
    private Instant validBefore;
    private volatile String instanceId;

    BotAgent(AgentConfig config, JoinClient client, PrintStream out) throws IOException {
        this(config, client, ProofSources.forMethod(config.proofSettings()), out);
    }

    BotAgent(AgentConfig config, JoinClient client, ProofSource proof, PrintStream out) throws IOException {
        this.config = config;
        this.client = client;
        this.proof = proof;
        this.out = out;
        this.storage = Destinations.open(config.storage, this::kubernetes);
        for (AgentOutput output : config.outputs) {
            destinations.add(Destinations.open(output.destination(), this::kubernetes));
        }
        loadStoredIdentity();
    }

    /** What an operator must do, because the agent cannot get an identity by itself any more. */
    static final class OperatorActionNeeded extends Exception {
        OperatorActionNeeded(String message) {
            super(message);
        }
    }

    /** Gets fresh certificates, by renewal or by joining, and writes storage and every output. */
    void refresh(String reason) throws IOException, InterruptedException, JoinClient.JoinRefusedException, OperatorActionNeeded,
            ProofUnavailableException {
        HolderKey next = HolderKey.generate();
        List<HolderKey> outputKeys = new ArrayList<>();
        List<OutputRequest> requests = new ArrayList<>();
        for (AgentOutput output : config.outputs) {
            HolderKey k = HolderKey.generate();
            outputKeys.add(k);
            OutputRequest r = output.request();
            requests.add(new OutputRequest(r.name(), r.kind(), r.roles(), k.publicKeyLine(), r.app(), r.databaseService(),
                    r.databaseUser(), r.databaseName(), r.kubernetesCluster(), r.hostNames(), r.spiffePath(), r.cluster()));
        }
        boolean holdsValidIdentity = certificate != null && Instant.now().isBefore(validBefore);
        boolean renewable = proof.renewsWithIdentity();
        IssueResult result;
        if (holdsValidIdentity && renewable) {
            String challenge = client.challenge();
            result = client.renew(certificate, challenge, key.sign(challenge.getBytes(StandardCharsets.UTF_8)),
                    next.publicKeyLine(), config.credentialTtl, requests);
        } else if (certificate != null && renewable && !proof.joinsAgain()) {
            throw new OperatorActionNeeded("the bot's identity expired at " + validBefore + " before it could be renewed "
                    + "(was Sigil unreachable?). Join method '" + config.joinMethod + "' cannot join again by itself: "
                    + "create a new join token for the bot (POST /v1/admin/tokens), then start the agent with it"
                    + (config.storage.path() != null ? " after removing " + config.storage.path() : ""));
        } else {
            Map<String, String> previous = null;
            if (holdsValidIdentity) {
                String challenge = client.challenge();
                previous = Map.of("certificate", certificate, "challenge", challenge, "signature",
                        java.util.Base64.getEncoder().encodeToString(key.sign(challenge.getBytes(StandardCharsets.UTF_8))));
            }
            JoinProof joinProof = proof.prove(client::challenge);
            result = client.join(config.joinMethod, joinToken(), joinProof, next.publicKeyLine(), config.credentialTtl,
                    requests, previous);
        }
        write(result, next, outputKeys, reason);
    }

    private void write(IssueResult result, HolderKey next, List<HolderKey> outputKeys, String reason) throws IOException {
        if (result.outputs() == null || result.outputs().size() != config.outputs.size()) {
            throw new UnsafeOutputException("Sigil answered with " + (result.outputs() == null ? 0 : result.outputs().size())
                    + " outputs for the " + config.outputs.size() + " asked for; nothing written");
        }
        // Everything rendered (and checked) before anything is written: a refused output leaves every file as it was.
        List<OutputFile> identity = Outputs.render(Credentials.identity(result, next), RenderOptions.DEFAULTS, config.storage);
        List<List<OutputFile>> rendered = new ArrayList<>();
        for (int i = 0; i < config.outputs.size(); i++) {
            AgentOutput output = config.outputs.get(i);
            rendered.add(Outputs.render(Credentials.output(result, result.outputs().get(i), outputKeys.get(i)), output.render(),
                    output.destination()));
        }
        storage.write(identity);
        for (int i = 0; i < rendered.size(); i++) {
            destinations.get(i).write(rendered.get(i));
        }
        key = next;
        certificate = result.identity().tlsCertificate();
        validBefore = result.identity().validBefore();
        instanceId = result.identity().instanceId();
        var id = result.identity();
        out.println(reason + ": wrote the identity of bot " + result.bot() + " (instance " + id.instanceId() + ", generation "
                + id.generation() + ", logins " + String.join(", ", id.principals()) + ", valid until " + id.validBefore()
                + ") and " + config.outputs.size() + " output(s)" + (storage.describe().equals("memory") ? "" : " to " + storage.describe()));
        if (id.notice() != null) {
            out.println("Note: " + id.notice());
        }
        if (config.storage.path() != null) {
            out.println("Use it: ssh -F " + Path.of(config.storage.path()).resolve(IdentityOutput.SSH_CONFIG) + " " + id.principals().get(0) + "@<host>");
        }
        for (int i = 0; i < config.outputs.size(); i++) {
            out.println("  " + config.outputs.get(i).request().kind() + " -> " + destinations.get(i).describe());
        }
    }

    /**
     * Runs until stopped: renews on the interval (or at half the remaining lifetime, if sooner), when renewal-service
     * says this identity is due, and on SIGUSR1. Failures are retried with backoff; exits only when an operator must act.
     */
    int runDaemon(PrintStream err) throws InterruptedException {
        installSignalHandler();
        RenewalDueListener listener = config.kafkaBootstrap == null ? null
                : RenewalDueListener.start(config.kafkaBootstrap,
                        config.kafkaIdentity != null ? java.util.Optional.of(config.kafkaIdentity) : dev.sigil.contract.BusIdentity.ofThisProcess(),
                        () -> instanceId, () -> triggers.offer("renewal due"));
        Duration wait = Duration.ZERO;
        Duration backoff = Duration.ofSeconds(1);
        try {
            while (true) {
                String reason = triggers.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
                triggers.clear();
                try {
                    refresh(reason == null ? (certificate == null ? "joined" : "renewal interval") : reason);
                    backoff = Duration.ofSeconds(1);
                    wait = nextRenewal();
                } catch (OperatorActionNeeded e) {
                    err.println("sigil-agent: " + e.getMessage());
                    return 2;
                } catch (ProofUnavailableException e) {
                    if (certificate == null) {
                        // Never joined: the job or machine is not set up for this method, and waiting will not change it.
                        err.println("sigil-agent: cannot get the " + config.joinMethod + " proof: " + e.getMessage());
                        return 1;
                    }
                    err.println("sigil-agent: cannot get the " + config.joinMethod + " proof (" + e.getMessage()
                            + "); retrying in " + backoff.toSeconds() + "s");
                    wait = backoff;
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                } catch (JoinClient.JoinRefusedException e) {
                    if (!retryable(e)) {
                        err.println("sigil-agent: refused (" + e.refusal().code() + "): " + e.refusal().message());
                        return 2;
                    }
                    err.println("sigil-agent: " + e.refusal().code() + ": " + e.refusal().message() + "; retrying in " + backoff.toSeconds() + "s");
                    wait = backoff;
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                } catch (UnsafeOutputException e) {
                    // Nothing was written; a bot whose names an admin fixes renews fine on a later try.
                    err.println("sigil-agent: " + e.getMessage() + "; retrying in " + backoff.toSeconds() + "s");
                    wait = backoff;
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                } catch (IOException e) {
                    err.println("sigil-agent: cannot reach Sigil (" + e.getMessage() + "); retrying in " + backoff.toSeconds() + "s");
                    wait = backoff;
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                }
            }
        } finally {
            if (listener != null) {
                listener.close();
            }
        }
    }

    /**
     * Worth another try by itself: Sigil busy or briefly unavailable, or a delegated bot's platform token already
     * used or expired — the platform rotates it (a projected service-account token, a CI token file), so the next
     * attempt reads a fresh one.
     */
    private static boolean retryable(JoinClient.JoinRefusedException e) {
        return e.status() == 503 || e.status() == 429 || Refusal.JWT_EXPIRED.equals(e.refusal().code())
                || Refusal.JWT_REPLAYED.equals(e.refusal().code());
    }

    private Duration nextRenewal() {
        Duration halfRemaining = Duration.between(Instant.now(), validBefore).dividedBy(2);
        return min(config.renewalInterval, halfRemaining.isNegative() ? Duration.ZERO : halfRemaining);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void installSignalHandler() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> triggers.offer("SIGUSR1"));
        } catch (IllegalArgumentException e) {
            out.println("SIGUSR1 is not available here; renewals run on the interval only");
        }
    }

    /** The join token: the secret itself, or for tbot-style configs a path to a file holding it. */
    private String joinToken() throws IOException {
        String token = config.token;
        if (token != null && token.startsWith("/") && Files.isRegularFile(Path.of(token))) {
            return Files.readString(Path.of(token)).trim();
        }
        return token;
    }

    /** An identity kept in directory storage by an earlier run: renew it rather than join again. */
    private void loadStoredIdentity() throws IOException {
        if (!DeliverySpec.Destination.DIRECTORY.equals(config.storage.type())) {
            return;
        }
        Path dir = Path.of(config.storage.path());
        Path keyFile = dir.resolve(IdentityOutput.TLS_KEY);
        Path certFile = dir.resolve(IdentityOutput.TLS_CERT);
        if (!Files.isRegularFile(keyFile) || !Files.isRegularFile(certFile)) {
            return;
        }
        key = HolderKey.fromPkcs8(Files.readString(keyFile));
        certificate = Files.readString(certFile);
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate.getBytes(StandardCharsets.US_ASCII)));
            validBefore = cert.getNotAfter().toInstant();
        } catch (CertificateException e) {
            throw new IOException("the identity stored in " + dir + " is unreadable: " + e.getMessage(), e);
        }
    }

    private synchronized KubernetesClient kubernetes() {
        if (kubernetes == null) {
            kubernetes = new KubernetesClientBuilder().build();
        }
        return kubernetes;
    }
}
