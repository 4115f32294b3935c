package dev.sigil.join.joinmethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.azure.AzureJoinMethod;
import dev.sigil.join.joinmethod.circleci.CircleciJoinMethod;
import dev.sigil.join.joinmethod.gcp.GcpJoinMethod;
import dev.sigil.join.joinmethod.genericoidc.GenericOidcJoinMethod;
import dev.sigil.join.joinmethod.github.GithubJoinMethod;
import dev.sigil.join.joinmethod.gitlab.GitlabJoinMethod;
import dev.sigil.join.joinmethod.kubernetes.KubernetesJoinMethod;
import dev.sigil.join.joinmethod.kubernetes.TokenReviewer;
import dev.sigil.join.joinmethod.oidc.JwtVerifier;
import dev.sigil.join.joinmethod.oidc.OidcDiscovery;
import dev.sigil.join.joinmethod.spacelift.SpaceliftJoinMethod;

/**
 * Every JWT join method against a loopback platform that speaks the real wire format: a valid token joins, and each
 * kind of bad token is refused with its own reason code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OidcJoinMethodsTest {
    private static final String CLUSTER = "sigil.test";

    private final FakePlatform platform = start();
    private final JoinTokenView tokens = new JoinTokenView();
    private final JwtVerifier verifier = new JwtVerifier();
    private final OidcDiscovery discovery = new OidcDiscovery();

    /** One join method set up against the fake platform: its join token and a token its allow rule accepts. */
    record Case(String name, JoinMethod method, String issuer, String audience, Map<String, Object> goodClaims,
            String ruleClaim, Object otherValue) {
        @Override
        public String toString() {
            return name;
        }
    }

    Stream<Case> methods() {
        String base = platform.url();
        return Stream.of(
                setUp(new GithubJoinMethod(tokens, verifier, "https://token.actions.githubusercontent.com", CLUSTER),
                        Map.of("issuer", base), List.of(Map.of("repository", "acme/app", "ref", "refs/heads/main")),
                        base, CLUSTER, Map.of("repository", "acme/app", "ref", "refs/heads/main", "repository_owner", "acme"),
                        "repository"),
                setUp(new GitlabJoinMethod(tokens, verifier, "https://gitlab.com", CLUSTER),
                        Map.of("issuer", base), List.of(Map.of("project_path", "acme/*", "ref_protected", "true")),
                        base, CLUSTER, Map.of("project_path", "acme/app", "ref_protected", "true"), "project_path"),
                setUp(new CircleciJoinMethod(tokens, verifier, "https://oidc.circleci.com"),
                        Map.of("issuer", base, "organization_id", "org-1"), List.of(Map.of("project_id", "proj-1")),
                        base + "/org/org-1", "org-1", Map.of("oidc.circleci.com/project-id", "proj-1",
                                "oidc.circleci.com/context-ids", List.of("ctx-1")), "oidc.circleci.com/project-id"),
                setUp(new SpaceliftJoinMethod(tokens, verifier),
                        Map.of("issuer", base, "hostname", "acme.app.spacelift.io"), List.of(Map.of("space_id", "root", "caller_type", "stack")),
                        base, "acme.app.spacelift.io", Map.of("spaceId", "root", "callerType", "stack"), "spaceId"),
                setUp(new GenericOidcJoinMethod(tokens, verifier, discovery),
                        Map.of("issuer", base, "audience", "sigil-ci"), List.of(Map.of("team", "infra")),
                        base, "sigil-ci", Map.of("team", "infra"), "team"),
                setUp(new KubernetesJoinMethod(tokens, verifier, discovery, new TokenReviewer(Optional.empty()), CLUSTER),
                        Map.of("issuer", "https://k8s.example", "static_jwks", platform.publicJwks()),
                        List.of(Map.of("service_account", "ci:deployer")),
                        "https://k8s.example", CLUSTER, Map.of("sub", "system:serviceaccount:ci:deployer"), "sub"),
                setUp(new GcpJoinMethod(tokens, verifier, discovery, CLUSTER),
                        Map.of("issuer", base), List.of(Map.of("project_ids", "acme-prod", "locations", "us-west1")),
                        base, CLUSTER, Map.of("email", "ci@acme-prod.iam.gserviceaccount.com", "google",
                                Map.of("compute_engine", Map.of("project_id", "acme-prod", "zone", "us-west1-b"))), "google"),
                setUp(new AzureJoinMethod(tokens, verifier, discovery),
                        Map.of("tenant", "t-1", "issuer", base, "discovery_base", base),
                        List.of(Map.of("subscription", "sub-1", "resource_groups", "ci-runners")),
                        base, "https://management.azure.com/", Map.of("tid", "t-1", "xms_mirid",
                                "/subscriptions/sub-1/resourcegroups/ci-runners/providers/Microsoft.Compute/virtualMachines/vm1"), "xms_mirid"));
    }

    private Case setUp(JoinMethod method, Map<String, String> config, List<Map<String, String>> allow, String issuer,
            String audience, Map<String, Object> claims, String ruleClaim) {
        JoinTokenSpec token = new JoinTokenSpec(method.name() + "-token", method.name() + "-bot", method.name(),
                Instant.now().plus(Duration.ofHours(1)), allow, config);
        method.checkToken(token);
        tokens.remember(token);
        Object otherValue = switch (ruleClaim) {
            case "sub" -> "system:serviceaccount:ci:intruder";
            case "google" -> Map.of("compute_engine", Map.of("project_id", "acme-prod", "zone", "europe-west4-a"));
            case "xms_mirid" -> "/subscriptions/sub-1/resourcegroups/other/providers/Microsoft.Compute/virtualMachines/vm1";
            default -> "other-value";
        };
        return new Case(method.name(), method, issuer, audience, claims, ruleClaim, otherValue);
    }

    @ParameterizedTest
    @MethodSource("methods")
    void aValidPlatformTokenJoinsAsTheTokensBot(Case c) throws Exception {
        String jwt = platform.sign(claims(c).build());

        VerifiedJoin join = join(c, jwt);

        assertThat(join.bot()).isEqualTo(c.name() + "-bot");
        assertThat(join.attestation().joinMethod()).isEqualTo(c.name());
        assertThat(join.attestation().proofId()).as("the same token is the same proof, so issuer-service refuses a replay")
                .isEqualTo(join(c, jwt).attestation().proofId())
                .isNotEqualTo(join(c, platform.sign(claims(c).build())).attestation().proofId());
        assertThat(join.attestation().proofExpires()).isAfter(Instant.now());
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAForgedSignature(Case c) throws Exception {
        assertRefused(c, platform.signWithImpostorKey(claims(c).build()), "JWT_BAD_SIGNATURE");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAnotherIssuer(Case c) throws Exception {
        assertRefused(c, platform.sign(claims(c).issuer("https://evil.example").build()), "JWT_WRONG_ISSUER");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAnotherAudience(Case c) throws Exception {
        assertRefused(c, platform.sign(claims(c).audience("someone-else").build()), "JWT_WRONG_AUDIENCE");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAnExpiredToken(Case c) throws Exception {
        Instant past = Instant.now().minus(Duration.ofMinutes(20));
        assertRefused(c, platform.sign(claims(c).issueTime(Date.from(past)).notBeforeTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(10)))).build()), "JWT_EXPIRED");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesATokenNotYetValid(Case c) throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(5));
        assertRefused(c, platform.sign(claims(c).notBeforeTime(Date.from(later)).build()), "JWT_NOT_YET_VALID");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAlgNone(Case c) throws Exception {
        assertRefused(c, FakePlatform.unsigned(claims(c).build()), "JWT_ALGORITHM_NOT_ALLOWED");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesHs256SignedWithThePublicKey(Case c) throws Exception {
        assertRefused(c, platform.hmacWithPublicKey(claims(c).build()), "JWT_ALGORITHM_NOT_ALLOWED");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesATokenMissingTheRulesClaimAndSaysWhichItLacks(Case c) throws Exception {
        assertThatThrownBy(() -> join(c, platform.sign(claims(c).claim(c.ruleClaim(), null).build())))
                .isInstanceOfSatisfying(RefusalException.class, e -> {
                    assertThat(e.refusal().code()).isEqualTo("ALLOW_RULES_NOT_MATCHED");
                    assertThat(e.refusal().message()).contains("has no value for '");
                });
    }

    /** For each method, an allow-rule field the good token can lack, and the claim that carries it. */
    private static final Map<String, List<String>> LACKABLE = Map.of(
            "github", List.of("environment", "environment"),
            "gitlab", List.of("environment", "environment"),
            "circleci", List.of("context_id", "oidc.circleci.com/context-ids"),
            "spacelift", List.of("scope", "scope"),
            "generic_oidc", List.of("department", "department"),
            "gcp", List.of("service_accounts", "email"),
            "azure", List.of("tenant", "tid"));

    /** The methods with a second allow-rule field (kubernetes rules have one field only). */
    Stream<Case> methodsWithALackableClaim() {
        return methods().filter(c -> LACKABLE.containsKey(c.name()));
    }

    @ParameterizedTest
    @MethodSource("methodsWithALackableClaim")
    void aRuleNamingAClaimTheTokenLacksDoesNotStopAnotherRuleFromMatching(Case c) throws Exception {
        String field = LACKABLE.get(c.name()).get(0);
        JoinTokenSpec original = tokens.require(c.name() + "-token", c.name());
        JoinTokenSpec twoRules = new JoinTokenSpec(c.name() + "-two-rules", c.name() + "-bot", c.name(),
                original.expires(), List.of(Map.of(field, "something"), original.allow().get(0)), original.config());
        c.method().checkToken(twoRules);
        tokens.remember(twoRules);
        String jwt = platform.sign(claims(c).claim(LACKABLE.get(c.name()).get(1), null).build());

        VerifiedJoin join = c.method().verify(new JoinRequest(c.name(), twoRules.name(), jwt, "ssh-ed25519 AAAA", null));

        assertThat(join.bot()).isEqualTo(c.name() + "-bot");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void anIssuerWithATrailingSlashJoinsAndNothingLooser(Case c) throws Exception {
        assertThat(join(c, platform.sign(claims(c).issuer(c.issuer() + "/").build())).bot()).isEqualTo(c.name() + "-bot");
        assertRefused(c, platform.sign(claims(c).issuer(c.issuer() + "//").build()), "JWT_WRONG_ISSUER");
        assertRefused(c, platform.sign(claims(c).issuer(c.issuer() + "/x").build()), "JWT_WRONG_ISSUER");
        assertRefused(c, platform.sign(claims(c).issuer(c.issuer().toUpperCase(java.util.Locale.ROOT)).build()), "JWT_WRONG_ISSUER");
    }

    @Test
    void aJoinTokenWhoseIssuerEndsInASlashJoinsWithEitherSpelling() throws Exception {
        String base = platform.url();
        List<Case> slashed = List.of(
                setUp(new GithubJoinMethod(tokens, verifier, "https://token.actions.githubusercontent.com", CLUSTER),
                        Map.of("issuer", base + "/"), List.of(Map.of("repository", "acme/app")), base + "/", CLUSTER,
                        Map.of("repository", "acme/app"), "repository"),
                setUp(new GenericOidcJoinMethod(tokens, verifier, discovery), Map.of("issuer", base + "/", "audience", "sigil-ci"),
                        List.of(Map.of("team", "infra")), base + "/", "sigil-ci", Map.of("team", "infra"), "team"),
                setUp(new KubernetesJoinMethod(tokens, verifier, discovery, new TokenReviewer(Optional.empty()), CLUSTER),
                        Map.of("issuer", "https://k8s.example/", "static_jwks", platform.publicJwks()),
                        List.of(Map.of("service_account", "ci:deployer")), "https://k8s.example/", CLUSTER,
                        Map.of("sub", "system:serviceaccount:ci:deployer"), "sub"),
                setUp(new AzureJoinMethod(tokens, verifier, discovery),
                        Map.of("tenant", "t-1", "issuer", base + "/", "discovery_base", base),
                        List.of(Map.of("tenant", "t-1")), base + "/", "https://management.azure.com/",
                        Map.of("tid", "t-1"), "tid"));
        for (Case c : slashed) {
            String withoutSlash = c.issuer().substring(0, c.issuer().length() - 1);
            assertThat(join(c, platform.sign(claims(c).build())).bot()).as(c.name()).isEqualTo(c.name() + "-bot");
            assertThat(join(c, platform.sign(claims(c).issuer(withoutSlash).build())).bot()).as(c.name()).isEqualTo(c.name() + "-bot");
            assertRefused(c, platform.sign(claims(c).issuer(c.issuer() + "/").build()), "JWT_WRONG_ISSUER");
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void aReEncodedTokenIsTheSameProofOrRefused(Case c) throws Exception {
        for (String jwt : List.of(platform.sign(claims(c).build()), platform.signEs256(claims(c).build()))) {
            String proof = join(c, jwt).attestation().proofId();
            assertThat(proof).as("what issuer-service claims once: jwt: and the SHA-256 of the signed claims")
                    .isEqualTo("jwt:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]))));
            assertThat(join(c, "  " + jwt + "\n").attestation().proofId()).as("surrounding whitespace").isEqualTo(proof);
            Map<String, String> variants = ReEncodings.of(jwt);
            assertThat(variants.keySet()).hasSizeGreaterThanOrEqualTo(12);
            variants.forEach((how, variant) -> {
                assertThat(variant).as(how).isNotEqualTo(jwt);
                assertThat(proofOrRefused(c, variant)).as(how).isIn(proof, "refused");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("methods")
    void anEs256SignatureAndItsMirrorAreOneProof(Case c) throws Exception {
        String jwt = platform.signEs256(claims(c).build());
        String mirrored = ReEncodings.mirroredEs256(jwt);
        assertThat(mirrored).isNotEqualTo(jwt);

        assertThat(proofOrRefused(c, mirrored)).as("(r, n-s) verifies like (r, s), so it must be the same proof")
                .isEqualTo(join(c, jwt).attestation().proofId());
    }

    @Test
    void aKubernetesTokenWithoutExpiryIsRefusedWithWhatToUseInstead() throws Exception {
        Case kubernetes = methods().filter(c -> c.name().equals("kubernetes")).findFirst().orElseThrow();
        String legacy = platform.sign(claims(kubernetes).expirationTime(null).build());
        assertThatThrownBy(() -> join(kubernetes, legacy)).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("JWT_MISSING_CLAIM");
            assertThat(e.refusal().message()).contains("'exp'").contains("projected service-account token");
        });
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesATokenNoRuleAllows(Case c) throws Exception {
        assertRefused(c, platform.sign(claims(c).claim(c.ruleClaim(), c.otherValue()).build()), "ALLOW_RULES_NOT_MATCHED");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesMalformedAndOversizedTokens(Case c) {
        assertRefused(c, "not.a.jwt", "JWT_MALFORMED");
        assertRefused(c, "eyJ" + "A".repeat(20_000), "JWT_MALFORMED");
        assertRefused(c, "", "MALFORMED_REQUEST");
    }

    @Test
    void keysAreFetchedOnceAndAnUnknownKeyIdRefreshesAtMostOnce() throws Exception {
        Case github = methods().filter(c -> c.name().equals("github")).findFirst().orElseThrow();
        int before = platform.jwksFetches.get();
        for (int i = 0; i < 20; i++) {
            join(github, platform.sign(claims(github).build()));
        }
        assertThat(platform.jwksFetches.get() - before).isLessThanOrEqualTo(1);

        int beforeUnknown = platform.jwksFetches.get();
        var foreign = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rotated-key").generate();
        for (int i = 0; i < 10; i++) {
            var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
                    .keyID("rotated-key").build(), claims(github).build());
            jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(foreign));
            assertRefused(github, jwt.serialize(), "JWT_BAD_SIGNATURE");
        }
        assertThat(platform.jwksFetches.get() - beforeUnknown).as("rate-limited refresh").isLessThanOrEqualTo(1);
    }

    @Test
    void aKeyRotatedInIsAcceptedOnItsFirstUseRightAfterAnUnknownKeyIdRefresh() throws Exception {
        TestClock clock = new TestClock(Instant.now());
        JwtVerifier ownVerifier = new JwtVerifier(clock);
        Case github = setUp(new GithubJoinMethod(tokens, ownVerifier, "https://token.actions.githubusercontent.com", CLUSTER),
                Map.of("issuer", platform.url()), List.of(Map.of("repository", "acme/app")), platform.url(), CLUSTER,
                Map.of("repository", "acme/app"), "repository");
        join(github, platform.sign(claims(github).build()));
        int fetches = platform.jwksFetches.get();

        var unpublished = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("not-published").generate();
        assertRefused(github, FakePlatform.sign(claims(github).build(), unpublished), "JWT_BAD_SIGNATURE");
        assertThat(platform.jwksFetches.get() - fetches).as("an unknown key id re-reads the keys").isEqualTo(1);

        var rotated = platform.rotateIn("rotated-1");
        assertThat(join(github, FakePlatform.sign(claims(github).build(), rotated)).bot())
                .as("same instant as the refresh for the unknown key id").isEqualTo("github-bot");

        int beforeFlood = platform.jwksFetches.get();
        for (int i = 0; i < 50; i++) {
            var madeUp = new com.nimbusds.jose.jwk.RSAKey.Builder(unpublished).keyID("made-up-" + i).build();
            assertRefused(github, FakePlatform.sign(claims(github).build(), madeUp), "JWT_BAD_SIGNATURE");
        }
        assertThat(platform.jwksFetches.get() - beforeFlood).as("a flood of made-up key ids is not a flood of fetches")
                .isLessThanOrEqualTo(5);

        var rotatedDuringFlood = platform.rotateIn("rotated-2");
        clock.advance(Duration.ofSeconds(10));
        assertThat(join(github, FakePlatform.sign(claims(github).build(), rotatedDuringFlood)).bot())
                .as("found once the last read is a few seconds old, flood or not").isEqualTo("github-bot");
        assertThat(join(github, FakePlatform.sign(claims(github).build(), platform.signingKey)).bot()).isEqualTo("github-bot");
    }

    @Test
    void refusesAllowRulesWithUnknownFieldsWhenTheTokenIsCreated() {
        JoinMethod github = new GithubJoinMethod(tokens, verifier, "https://token.actions.githubusercontent.com", CLUSTER);
        JoinTokenSpec typo = new JoinTokenSpec("t", "b", "github", null, List.of(Map.of("repo", "acme/app")), Map.of());
        assertThatThrownBy(() -> github.checkToken(typo)).isInstanceOf(RefusalException.class).hasMessageContaining("no field 'repo'");
    }

    @ParameterizedTest
    @MethodSource("methods")
    void refusesAJoinTokenWithoutAllowRules(Case c) {
        JoinTokenSpec open = new JoinTokenSpec("open", "b", c.name(), null, List.of(), Map.of("issuer", platform.url(),
                "organization_id", "o", "hostname", "h", "audience", "a", "tenant", "t", "static_jwks", platform.publicJwks()));
        assertThatThrownBy(() -> c.method().checkToken(open)).isInstanceOf(RefusalException.class).hasMessageContaining("allow rule");
    }

    private VerifiedJoin join(Case c, String jwt) {
        return c.method().verify(new JoinRequest(c.name(), c.name() + "-token", jwt, "ssh-ed25519 AAAA", null));
    }

    /** The proof id a join with this token gets, or "refused". */
    private String proofOrRefused(Case c, String jwt) {
        try {
            return join(c, jwt).attestation().proofId();
        } catch (RefusalException e) {
            assertThat(e.status()).isBetween(400, 499);
            return "refused";
        }
    }

    private void assertRefused(Case c, String jwt, String code) {
        assertThatThrownBy(() -> join(c, jwt)).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo(code);
            assertThat(e.status()).isBetween(400, 499);
            assertThat(e.refusal().message()).hasSizeGreaterThan(20);
        });
    }

    private static JWTClaimsSet.Builder claims(Case c) {
        Map<String, Object> extra = new HashMap<>(c.goodClaims());
        JWTClaimsSet.Builder builder = FakePlatform.claims(c.issuer(), c.audience(), Map.of());
        extra.forEach(builder::claim);
        return builder;
    }

    private static FakePlatform start() {
        try {
            return new FakePlatform();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stop() {
        platform.close();
    }

}
