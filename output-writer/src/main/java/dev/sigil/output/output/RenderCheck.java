package dev.sigil.output.output;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.sigil.contract.CaBundle;
import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedOutput;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;

/**
 * What must hold before an output is rendered, because every value here ends up in a file a tool parses: names by
 * their grammar ({@link Names}: the bot and clusters in comments and kubeconfig names, logins in ssh_config's
 * {@code User}, the directory in its paths), OpenSSH keys and certificates as one line each, X.509 certificates as
 * PEM blocks and nothing else. A newline in a login would add ssh_config lines of someone else's choosing; a second
 * line after a CA key would add a trusted CA. The agent and the delivery service both render through
 * {@link Outputs#render}, which refuses what breaks these.
 */
public final class RenderCheck {
    /** An OpenSSH public key or certificate: type, base64, an optional comment; one line, printable ASCII. */
    private static final Pattern SSH_LINE = Pattern.compile("([a-z0-9][a-z0-9@.+-]{0,63}) [A-Za-z0-9+/]+={0,3}( [\\x20-\\x7e]{0,512})?");
    private static final String CERT_TYPE_SUFFIX = "-cert-v01@openssh.com";
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/=]{1,76}");
    private static final int MAX_CERTIFICATE_CHARS = 64 * 1024;
    /** Issuer instance ids are UUIDs, delivery ones {@code delivery-<delivery id>}. */
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** What is wrong with rendering these credentials with these options to this destination; empty when nothing is. */
    public static Optional<String> problem(Credentials c, RenderOptions options, DeliverySpec.Destination destination) {
        String kind = c.kind() == null ? OutputRequest.IDENTITY : c.kind();
        if (!OutputRequest.KINDS.contains(kind)) {
            return Optional.of("output kind '" + Names.printable(kind) + "' is not one of " + OutputRequest.KINDS);
        }
        return first(
                () -> Names.RESOURCE.problem(c.bot()).map(p -> "bot: " + p),
                () -> c.validBefore() == null ? Optional.of("the certificates carry no validBefore") : Optional.empty(),
                () -> caProblem(c.ca()),
                () -> options == null ? Optional.empty() : optionsProblem(options),
                () -> switch (kind) {
                    case OutputRequest.IDENTITY -> identityProblem(c, destination);
                    case OutputRequest.SSH_HOST -> first(() -> sshLineProblem("the host certificate", c.sshCertificate(), true),
                            () -> sshLinesProblem("the user CA keys", c.ca().trustedSshUserCas()));
                    default -> first(() -> pemProblem("the certificate", c.tlsCertificate()),
                            () -> pemsProblem("the TLS CA certificates", c.trustedTlsCas()));
                });
    }

    /**
     * What is wrong with an issue result as the answer to a request for {@code asked} outputs, checked before anyone
     * renders it: what will be rendered from it (the identity when no output was asked for, else each output) and
     * what every holder keeps (instance, validity). Empty when nothing is; a refusal is an answer like any other.
     */
    public static Optional<String> problem(IssueResult result, String bot, List<OutputRequest> asked) {
        if (result.bot() == null || !result.bot().equals(bot)) {
            return Optional.of("it answers for bot '" + Names.printable(String.valueOf(result.bot())) + "', the request was bot '"
                    + Names.printable(bot) + "''s");
        }
        if (!result.isIssued()) {
            return result.refusal() == null || result.refusal().code() == null
                    ? Optional.of("it holds neither an identity nor a refusal with a code") : Optional.empty();
        }
        var id = result.identity();
        if (id.instanceId() == null || !INSTANCE.matcher(id.instanceId()).matches()) {
            return Optional.of("instanceId '" + Names.printable(String.valueOf(id.instanceId())) + "' is not an instance id");
        }
        if (asked.isEmpty()) {
            return problem(Credentials.identity(result, null), null, null).map(p -> "identity: " + p);
        }
        List<IssuedOutput> outputs = result.outputs() == null ? List.of() : result.outputs();
        if (outputs.size() != asked.size()) {
            return Optional.of("it holds " + outputs.size() + " outputs for " + asked.size() + " asked for");
        }
        for (int i = 0; i < outputs.size(); i++) {
            IssuedOutput output = outputs.get(i);
            if (output == null || !asked.get(i).kind().equals(output.kind())) {
                return Optional.of("output " + i + " is not the " + asked.get(i).kind() + " asked for");
            }
            int index = i;
            Optional<String> problem = problem(Credentials.output(result, output, null), null, null)
                    .map(p -> "output " + index + ": " + p);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** A Kubernetes API server for a kubeconfig: an http(s) URL with a host, nothing else. */
    public static Optional<String> kubernetesServerProblem(String server) {
        if (server == null) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(server);
            if (server.length() <= 2048 && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getUserInfo() == null) {
                return Optional.empty();
            }
        } catch (java.net.URISyntaxException e) {
            // as below
        }
        return Optional.of("kubernetesServer '" + Names.printable(server) + "' is not an http(s) URL of an API server");
    }

    private static Optional<String> optionsProblem(RenderOptions options) {
        if (options.databaseFormat() != null && !RenderOptions.DATABASE_FORMATS.contains(options.databaseFormat())) {
            return Optional.of("database format '" + Names.printable(options.databaseFormat()) + "' is not one of "
                    + RenderOptions.DATABASE_FORMATS);
        }
        return kubernetesServerProblem(options.kubernetesServer());
    }

    private static Optional<String> identityProblem(Credentials c, DeliverySpec.Destination destination) {
        return first(
                () -> sshLineProblem("the SSH certificate", c.sshCertificate(), true),
                () -> c.principals() == null || c.principals().isEmpty() ? Optional.of("the identity grants no login")
                        : c.principals().stream().anyMatch(java.util.Objects::isNull) ? Optional.of("a login is null")
                        : Names.LOGIN.firstProblem(c.principals()),
                () -> sshLinesProblem("the user CA keys", c.ca().trustedSshUserCas()),
                () -> c.cluster() != null
                        ? first(() -> Names.RESOURCE.problem(c.cluster()).map(p -> "leaf cluster: " + p),
                                () -> sshLineProblem("the leaf cluster's host CA key", c.leafHostCa(), false))
                        : sshLinesProblem("the host CA keys", c.ca().trustedSshHostCas()),
                () -> c.tlsCertificate() == null ? Optional.empty()
                        : first(() -> pemProblem("the TLS certificate", c.tlsCertificate()),
                                () -> pemsProblem("the TLS CA certificates", c.trustedTlsCas())),
                () -> directoryProblem(destination));
    }

    /** ssh_config names the identity's files by the directory's absolute path. */
    private static Optional<String> directoryProblem(DeliverySpec.Destination destination) {
        if (destination == null || destination.path() == null) {
            return Optional.empty();
        }
        String path = destination.path();
        if (path.length() > 4096 || path.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            return Names.DIRECTORY_PATH.problem(path);
        }
        try {
            return Names.DIRECTORY_PATH.problem(Path.of(path).toAbsolutePath().normalize().toString());
        } catch (java.nio.file.InvalidPathException e) {
            return Names.DIRECTORY_PATH.problem(path);
        }
    }

    private static Optional<String> caProblem(CaBundle ca) {
        if (ca == null) {
            return Optional.of("the result carries no CA bundle");
        }
        return Names.RESOURCE.problem(ca.clusterName()).map(p -> "CA cluster name: " + p);
    }

    private static Optional<String> sshLinesProblem(String what, List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return Optional.of(what + " are missing");
        }
        for (String line : lines) {
            Optional<String> problem = sshLineProblem(what, line, false);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> sshLineProblem(String what, String line, boolean certificate) {
        if (line == null || line.isEmpty()) {
            return Optional.of(what + " is missing");
        }
        var matcher = SSH_LINE.matcher(line);
        if (line.length() > MAX_CERTIFICATE_CHARS || !matcher.matches()
                || matcher.group(1).endsWith(CERT_TYPE_SUFFIX) != certificate) {
            return Optional.of(what + " '" + Names.printable(line) + "' is not one OpenSSH " + (certificate ? "certificate" : "public key")
                    + " line");
        }
        return Optional.empty();
    }

    private static Optional<String> pemsProblem(String what, List<String> pems) {
        if (pems == null || pems.isEmpty()) {
            return Optional.of(what + " are missing");
        }
        for (String pem : pems) {
            Optional<String> problem = pemProblem(what, pem);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    /** PEM CERTIFICATE blocks and nothing else: no text before, between or after them. */
    private static Optional<String> pemProblem(String what, String pem) {
        if (pem == null || pem.isBlank()) {
            return Optional.of(what + " is missing");
        }
        Optional<String> wrong = Optional.of(what + " is not PEM certificates alone (starts '" + Names.printable(pem) + "')");
        if (pem.length() > MAX_CERTIFICATE_CHARS) {
            return wrong;
        }
        String[] lines = pem.split("\r?\n", -1);
        int end = lines.length;
        if (lines[end - 1].isEmpty()) {
            end--; // one final newline
        }
        boolean inside = false;
        int blocks = 0;
        for (int i = 0; i < end; i++) {
            String line = lines[i];
            if (!inside && line.equals("-----BEGIN CERTIFICATE-----")) {
                inside = true;
            } else if (inside && line.equals("-----END CERTIFICATE-----") && !lines[i - 1].startsWith("-----")) {
                inside = false;
                blocks++;
            } else if (!inside || !BASE64_LINE.matcher(line).matches()) {
                return wrong;
            }
        }
        return inside || blocks == 0 ? wrong : Optional.empty();
    }

    @SafeVarargs
    private static Optional<String> first(java.util.function.Supplier<Optional<String>>... checks) {
        for (var check : checks) {
            Optional<String> problem = check.get();
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private RenderCheck() {
    }
}
