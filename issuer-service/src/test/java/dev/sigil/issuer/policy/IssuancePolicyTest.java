package dev.sigil.issuer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LeafClusterSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;

class IssuancePolicyTest {
    private final Map<String, BotSpec> bots = new java.util.HashMap<>();
    private final Map<String, RoleSpec> roles = new java.util.HashMap<>();
    private final Map<String, LockSpec> locks = new java.util.HashMap<>();
    private final DesiredState state = new DesiredState() {
        public Optional<BotSpec> bot(String name) {
            return Optional.ofNullable(bots.get(name));
        }

        public Optional<RoleSpec> role(String name) {
            return Optional.ofNullable(roles.get(name));
        }

        public Optional<LockSpec> lock(String target) {
            return Optional.ofNullable(locks.get(target));
        }

        public Optional<LeafClusterSpec> leafCluster(String name) {
            return Optional.empty();
        }

        public Optional<JoinTokenSpec> joinToken(String name) {
            return Optional.ofNullable(tokens.get(name));
        }
    };
    private final Map<String, JoinTokenSpec> tokens = new java.util.HashMap<>();
    private final IssuancePolicy policy = new IssuancePolicy(state, "sigil.test", false);

    @Test
    void expandsInternalLoginsFromTheBotsTraits() {
        roles.put("access", new RoleSpec("access", List.of("{{internal.logins}}", "root", "ci-{{external.team}}"), null));
        bots.put("b", new BotSpec("b", List.of("access"), Map.of("logins", List.of("ubuntu", "deploy"), "team", List.of("web")), null));

        Decision decision = policy.decide(request("b", Duration.ofMinutes(20)));

        assertThat(decision.grant().principals()).containsExactly("ubuntu", "deploy", "root", "ci-web");
        assertThat(decision.grant().ttl()).isEqualTo(Duration.ofMinutes(20));
        assertThat(decision.grant().notice()).isNull();
    }

    @Test
    void clampsTtlToTheLowestMaximumAndSaysSo() {
        roles.put("short", new RoleSpec("short", List.of("ubuntu"), Duration.ofMinutes(10)));
        bots.put("b", new BotSpec("b", List.of("short"), Map.of(), Duration.ofHours(2)));

        Grant grant = policy.decide(request("b", Duration.ofHours(1))).grant();

        assertThat(grant.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(grant.notice()).contains("role 'short' maxSessionTtl");
    }

    @Test
    void refusesUnknownBotMissingRoleAndRolesWithoutLogins() {
        assertThat(policy.decide(request("ghost", null)).refusal().code()).isEqualTo(Refusal.BOT_NOT_FOUND);

        bots.put("b", new BotSpec("b", List.of("missing"), Map.of(), null));
        assertThat(policy.decide(request("b", null)).refusal().code()).isEqualTo(Refusal.ROLE_NOT_FOUND);

        roles.put("templated", new RoleSpec("templated", List.of("{{internal.logins}}"), null));
        bots.put("b", new BotSpec("b", List.of("templated"), Map.of(), null));
        Refusal refusal = policy.decide(request("b", null)).refusal();
        assertThat(refusal.code()).isEqualTo(Refusal.NO_PRINCIPALS);
        assertThat(refusal.message()).contains("'logins' trait");
    }

    @Test
    void refusesALockedBotOrJoinTokenWithTheLocksReasonUntilItExpires() {
        roles.put("r", new RoleSpec("r", List.of("ubuntu"), null));
        bots.put("b", new BotSpec("b", List.of("r"), Map.of(), null));
        locks.put("bot:b", new LockSpec("bot:b", "compromised runner", null));

        Refusal refusal = policy.decide(request("b", null)).refusal();
        assertThat(refusal.code()).isEqualTo(Refusal.LOCKED);
        assertThat(refusal.message()).contains("compromised runner");

        locks.put("bot:b", new LockSpec("bot:b", "maintenance", Instant.now().minusSeconds(1)));
        assertThat(policy.decide(request("b", null)).allowed()).isTrue();

        locks.put("join-token:t-b", new LockSpec("join-token:t-b", "repository deleted", null));
        assertThat(policy.decide(request("b", null)).refusal().message()).contains("repository deleted");
    }

    @Test
    void refusesRolesDemandingSessionMfaAndSaysHowToFixIt() {
        roles.put("prod", new RoleSpec("prod", List.of("root"), null, null, null, null, null, null, null, true, null, null));
        bots.put("b", new BotSpec("b", List.of("prod"), Map.of(), null));

        Refusal refusal = policy.decide(request("b", null)).refusal();
        assertThat(refusal.code()).isEqualTo(Refusal.MFA_REQUIRED);
        assertThat(refusal.message()).contains("role 'prod'").contains("human roles only");

        roles.put("prod", new RoleSpec("prod", List.of("root"), null));
        assertThat(new IssuancePolicy(state, "sigil.test", true).decide(request("b", null)).refusal().code()).isEqualTo(Refusal.MFA_REQUIRED);
        assertThat(policy.decide(request("b", null)).allowed()).isTrue();
    }

    @Test
    void sshExtensionsFollowTheRolesForwardingOptions() {
        roles.put("plain", new RoleSpec("plain", List.of("u"), null));
        roles.put("agent", new RoleSpec("agent", List.of("u"), null, null, null, null, null,
                new RoleSpec.SshOptions(false, true), null, false, null, null));
        bots.put("b", new BotSpec("b", List.of("plain"), Map.of(), null));
        assertThat(policy.decide(request("b", null)).grant().sshExtensions())
                .containsExactlyInAnyOrder("permit-pty", "permit-user-rc", "permit-port-forwarding");

        bots.put("b", new BotSpec("b", List.of("agent"), Map.of(), null));
        assertThat(policy.decide(request("b", null)).grant().sshExtensions())
                .containsExactlyInAnyOrder("permit-pty", "permit-user-rc", "permit-agent-forwarding");
    }

    @Test
    void aJoinNeedsAJoinTokenOfThatBotAndMethodThatHasNotExpired() {
        roles.put("access", new RoleSpec("access", List.of("ubuntu"), null));
        bots.put("b", new BotSpec("b", List.of("access"), Map.of(), null));
        bots.put("other", new BotSpec("other", List.of("access"), Map.of(), null));
        IssueRequest join = request("b", null);
        tokens.remove("t-b");

        assertThat(policy.decide(join).refusal().code()).isEqualTo(Refusal.TOKEN_NOT_FOUND);
        tokens.put("t-b", new JoinTokenSpec("t-b", "other", "token", null, null, null));
        assertThat(policy.decide(join).refusal().code()).isEqualTo(Refusal.TOKEN_NOT_FOUND);
        tokens.put("t-b", new JoinTokenSpec("t-b", "b", "github", null, null, null));
        assertThat(policy.decide(join).refusal().code()).isEqualTo(Refusal.TOKEN_METHOD_MISMATCH);
        tokens.put("t-b", new JoinTokenSpec("t-b", "b", "token", Instant.now().minusSeconds(1), null, null));
        assertThat(policy.decide(join).refusal().code()).isEqualTo(Refusal.TOKEN_EXPIRED);
        tokens.put("t-b", new JoinTokenSpec("t-b", "b", "token", Instant.now().plusSeconds(60), null, null));
        assertThat(policy.decide(join).allowed()).isTrue();
    }

    private IssueRequest request(String bot, Duration ttl) {
        tokens.putIfAbsent("t-" + bot, new JoinTokenSpec("t-" + bot, bot, "token", null, null, null));
        return new IssueRequest("r1", bot, new Attestation("token", "t-" + bot, "t-" + bot, null), "ssh-ed25519 AAAA", ttl, Instant.now());
    }
}
