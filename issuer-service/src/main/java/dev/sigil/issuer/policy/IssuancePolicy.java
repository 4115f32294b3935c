package dev.sigil.issuer.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;

/**
 * Decides what a bot gets: an ordered list of named checks, the first refusal wins and its reason goes straight
 * to the caller (the cert-manager policy-chain style). A request that passes every check gets a {@link Grant}.
 */
public final class IssuancePolicy {
    /** Renewable identities never live longer than this, whatever the bot and roles allow. */
    public static final Duration RENEWABLE_TTL_LIMIT = Duration.ofHours(24);
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    /** Join methods whose identities renew themselves by proving the identity they hold. */
    public static final java.util.Set<String> SELF_RENEWING = java.util.Set.of("token", "bound_keypair");

    /** One named step of the decision; returns a refusal or nothing. */
    interface Check {
        Optional<Refusal> apply(Context context);
    }

    /** What the checks read, filled in as they go. */
    static final class Context {
        final IssueRequest request;
        BotSpec bot;
        final List<RoleSpec> roles = new ArrayList<>();

        Context(IssueRequest request) {
            this.request = request;
        }
    }

    private final DesiredState state;
    private final String clusterName;
    private final boolean clusterRequiresSessionMfa;
    private final List<Check> checks;

    public IssuancePolicy(DesiredState state, String clusterName, boolean clusterRequiresSessionMfa) {
        this.state = state;
        this.clusterName = clusterName;
        this.clusterRequiresSessionMfa = clusterRequiresSessionMfa;
        this.checks = List.of(this::botExists, this::joinTokenVouches, this::notLocked, this::rolesExist, this::noSessionMfa, this::grantsALogin,
                this::namesValid);
    }

    public Decision decide(IssueRequest request) {
        Context context = new Context(request);
        for (Check check : checks) {
            Optional<Refusal> refusal = check.apply(context);
            if (refusal.isPresent()) {
                return new Decision(null, null, refusal.get());
            }
        }
        List<OutputGrant> outputs = new ArrayList<>();
        for (OutputRequest output : request.outputs()) {
            Context outputContext = new Context(request);
            outputContext.bot = context.bot;
            boolean toLeaf = output.cluster() != null && !output.cluster().equals(clusterName);
            Optional<LeafClusterSpec> leaf = toLeaf ? state.leafCluster(output.cluster()) : Optional.empty();
            Optional<Refusal> refusal = outputRoles(output, context, outputContext)
                    .or(() -> noSessionMfa(outputContext))
                    .or(() -> toLeaf ? OutputChecks.leaf(output, leaf) : Optional.empty())
                    .or(() -> OutputChecks.allows(output, outputContext.bot, outputContext.roles, principals(outputContext)));
            if (refusal.isPresent()) {
                return new Decision(null, null, new Refusal(refusal.get().code(),
                        "output '" + output.name() + "': " + refusal.get().message()));
            }
            outputs.add(new OutputGrant(output, grant(outputContext), leaf.orElse(null)));
        }
        return new Decision(grant(context), outputs, null);
    }

    /** An output impersonates the roles it names (each one the bot may impersonate), or all of the bot's. */
    private static Optional<Refusal> outputRoles(OutputRequest output, Context bot, Context out) {
        if (output.roles().isEmpty()) {
            out.roles.addAll(bot.roles);
            return Optional.empty();
        }
        for (String name : output.roles()) {
            Optional<RoleSpec> role = bot.roles.stream().filter(r -> r.name().equals(name)).findFirst();
            if (role.isEmpty()) {
                return refusal(Refusal.ROLE_NOT_ALLOWED, "bot '" + bot.bot.name() + "' may not impersonate role '" + name
                        + "'; it may impersonate " + bot.bot.roles());
            }
            out.roles.add(role.get());
        }
        return Optional.empty();
    }

    private Optional<Refusal> botExists(Context c) {
        c.bot = state.bot(c.request.bot()).orElse(null);
        return c.bot != null ? Optional.empty()
                : refusal(Refusal.BOT_NOT_FOUND, "bot '" + c.request.bot()
                        + "' does not exist; create it with POST /v1/admin/bots before issuing join tokens for it");
    }

    /**
     * A join (or a delegated bot's re-join) names the join token that let it in; that token must exist, belong to
     * this bot and join method, and not have expired. join-service checked it too: this is the check a request
     * written straight to Kafka cannot pass. Renewals of token and bound_keypair identities prove the identity
     * they hold instead, and deliveries have their own proof.
     */
    private Optional<Refusal> joinTokenVouches(Context c) {
        Attestation attestation = c.request.attestation();
        String method = attestation.joinMethod();
        if (Attestation.DELIVERY.equals(method) || (c.request.renewal() != null && SELF_RENEWING.contains(method))) {
            return Optional.empty();
        }
        Optional<JoinTokenSpec> token = Optional.ofNullable(attestation.joinToken()).flatMap(state::joinToken);
        if (token.isEmpty() || !c.bot.name().equals(token.get().bot())) {
            return refusal(Refusal.TOKEN_NOT_FOUND, "bot '" + c.bot.name() + "' has no join token '"
                    + Names.printable(String.valueOf(attestation.joinToken())) + "'; ask an admin for a join token");
        }
        if (!method.equals(token.get().joinMethod() == null ? "token" : token.get().joinMethod())) {
            return refusal(Refusal.TOKEN_METHOD_MISMATCH, "join token '" + token.get().name() + "' is for join method "
                    + token.get().joinMethod() + ", not " + method);
        }
        if (token.get().expiredAt(Instant.now())) {
            return refusal(Refusal.TOKEN_EXPIRED, "join token '" + token.get().name() + "' expired at "
                    + token.get().expires() + "; ask an admin for a new one");
        }
        return Optional.empty();
    }

    private Optional<Refusal> notLocked(Context c) {
        Instant now = Instant.now();
        List<String> targets = new ArrayList<>(List.of(LockSpec.bot(c.bot.name())));
        if (c.request.attestation() != null && c.request.attestation().joinToken() != null) {
            targets.add(LockSpec.joinToken(c.request.attestation().joinToken()));
        }
        if (c.request.renewal() != null) {
            targets.add(LockSpec.instance(c.request.renewal().instanceId()));
        }
        if (c.request.attestation() != null && Attestation.DELIVERY.equals(c.request.attestation().joinMethod())) {
            targets.add(LockSpec.instance(Attestation.deliveryInstance(c.request.attestation().joinToken())));
        }
        for (String target : targets) {
            Optional<LockSpec> lock = state.lock(target).filter(l -> l.inForceAt(now));
            if (lock.isPresent()) {
                return refusal(Refusal.LOCKED, target + " is locked: " + lock.get().reason()
                        + (lock.get().expires() == null ? "; an admin must remove the lock" : " (until " + lock.get().expires() + ")"));
            }
        }
        return Optional.empty();
    }

    private Optional<Refusal> rolesExist(Context c) {
        for (String name : c.bot.roles()) {
            Optional<RoleSpec> role = state.role(name);
            if (role.isEmpty()) {
                return refusal(Refusal.ROLE_NOT_FOUND, "bot '" + c.bot.name() + "' impersonates role '" + name
                        + "', which does not exist; create the role or remove it from the bot");
            }
            c.roles.add(role.get());
        }
        return c.roles.isEmpty()
                ? refusal(Refusal.ROLE_NOT_FOUND, "bot '" + c.bot.name() + "' has no roles; give it at least one role to impersonate")
                : Optional.empty();
    }

    /** Bots cannot answer an MFA prompt, so a role (or cluster) demanding per-session MFA can never issue to one. */
    private Optional<Refusal> noSessionMfa(Context c) {
        if (clusterRequiresSessionMfa) {
            return refusal(Refusal.MFA_REQUIRED, "this cluster requires per-session MFA for every role, which bots cannot "
                    + "satisfy; enforce MFA on human roles only (set requireSessionMfa on those roles, not cluster-wide)");
        }
        return c.roles.stream().filter(RoleSpec::requireSessionMfa).findFirst()
                .flatMap(role -> refusal(Refusal.MFA_REQUIRED, "role '" + role.name() + "' requires per-session MFA, which "
                        + "bots cannot satisfy; enforce MFA on human roles only and give bot '" + c.bot.name()
                        + "' a role without requireSessionMfa"));
    }

    private Optional<Refusal> grantsALogin(Context c) {
        return principals(c).isEmpty()
                ? refusal(Refusal.NO_PRINCIPALS, "the roles of bot '" + c.bot.name()
                        + "' grant no SSH logins; add logins to a role, or set the bot's 'logins' trait when a role uses {{internal.logins}}")
                : Optional.empty();
    }

    /**
     * Logins and Kubernetes users and groups come from roles and traits, not from the request; they are checked
     * at the admin API, and again here because they go straight into certificates and ssh_config lines.
     */
    private Optional<Refusal> namesValid(Context c) {
        Optional<String> problem = Names.RESOURCE.firstProblem(c.roles.stream().map(RoleSpec::name).toList())
                .map(p -> "bot '" + c.bot.name() + "' impersonates a role whose " + p + "; recreate the role under a valid name")
                .or(() -> Names.LOGIN.firstProblem(principals(c)))
                .map(p -> "the roles and traits of bot '" + c.bot.name() + "' give " + p + "; fix the role's logins or the "
                        + "bot's traits")
                .or(() -> c.roles.stream().flatMap(r -> Names.KUBERNETES_SUBJECT.firstProblem(r.kubernetesUsers()).or(
                        () -> Names.KUBERNETES_SUBJECT.firstProblem(r.kubernetesGroups()))
                        .map(p -> "role '" + r.name() + "' grants " + p + "; fix the role").stream()).findFirst());
        return problem.flatMap(p -> refusal(Refusal.NAME_NOT_ALLOWED, p));
    }

    static List<String> principals(Context c) {
        LinkedHashSet<String> principals = new LinkedHashSet<>();
        c.roles.forEach(role -> principals.addAll(LoginTemplates.expand(role.logins(), c.bot)));
        return List.copyOf(principals);
    }

    private static Grant grant(Context c) {
        Duration asked = c.request.ttl() == null ? DEFAULT_TTL : c.request.ttl();
        Duration limit = c.bot.maxSessionTtl();
        String limitedBy = "the bot's maxSessionTtl";
        for (RoleSpec role : c.roles) {
            if (role.maxSessionTtl() != null && role.maxSessionTtl().compareTo(limit) < 0) {
                limit = role.maxSessionTtl();
                limitedBy = "role '" + role.name() + "' maxSessionTtl";
            }
        }
        if (RENEWABLE_TTL_LIMIT.compareTo(limit) < 0) {
            limit = RENEWABLE_TTL_LIMIT;
            limitedBy = "the 24h limit for renewable identities";
        }
        Duration ttl = asked.compareTo(limit) > 0 ? limit : asked;
        String notice = ttl.equals(asked) ? null
                : "asked for " + asked + " but the certificates last " + ttl + ", capped by " + limitedBy;
        List<String> kubernetesGroups = c.roles.stream().flatMap(r -> r.kubernetesGroups().stream()).distinct().toList();
        String kubernetesUser = c.roles.stream().flatMap(r -> r.kubernetesUsers().stream()).findFirst().orElse(null);
        return new Grant(c.roles.stream().map(RoleSpec::name).toList(), principals(c), sshExtensions(c.roles), ttl, notice,
                kubernetesGroups, kubernetesUser);
    }

    /** A pty and user rc files always; forwarding only where a role permits it. */
    static List<String> sshExtensions(List<RoleSpec> roles) {
        List<String> extensions = new ArrayList<>(List.of("permit-pty", "permit-user-rc"));
        if (roles.stream().anyMatch(r -> r.sshOptions().portForwarding())) {
            extensions.add("permit-port-forwarding");
        }
        if (roles.stream().anyMatch(r -> r.sshOptions().agentForwarding())) {
            extensions.add("permit-agent-forwarding");
        }
        return extensions;
    }

    private static Optional<Refusal> refusal(String code, String message) {
        return Optional.of(new Refusal(code, message));
    }
}
