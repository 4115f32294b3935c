package dev.sigil.join.joinmethod.oidc;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.AllowRules;
import dev.sigil.join.joinmethod.JoinMethod;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;

/**
 * What every OIDC-based join method shares: find the join token by name, verify the platform's JWT with
 * {@link JwtVerifier} against the issuer the token trusts, and match the allow rules against its claims.
 * A method says only which issuer, keys and audience it expects and how its allow-rule fields map to claims.
 * The token's {@link TokenProof proof id} is what issuer-service accepts once, so a replayed token is refused.
 */
public abstract class OidcJoinMethod implements JoinMethod {
    private final JoinTokenView tokens;
    private final JwtVerifier verifier;

    protected OidcJoinMethod(JoinTokenView tokens, JwtVerifier verifier) {
        this.tokens = tokens;
        this.verifier = verifier;
    }

    /** The issuer, keys and audience this join token expects. */
    protected abstract PlatformToken expected(JoinTokenSpec token);

    /** The allow-rule fields of this method and, for each, the claim values it is matched against. */
    protected abstract Map<String, Function<JWTClaimsSet, List<String>>> fields();

    /** The claim values an allow-rule field is matched against, or null for a field this method does not know. */
    protected Function<JWTClaimsSet, List<String>> field(String name) {
        return fields().get(name);
    }

    /** The fields whose rule values may hold {@code *} and {@code ?}. */
    protected Set<String> globFields() {
        return Set.of();
    }

    @Override
    public void checkToken(JoinTokenSpec token) {
        AllowRules.check(token.allow(), fields().keySet(), name());
        expected(token);
    }

    @Override
    public VerifiedJoin verify(JoinRequest request) {
        JoinTokenSpec token = tokens.require(request.token(), name());
        JwtVerifier.Verified verified = verifier.verify(request.idToken(), expected(token), name());
        JWTClaimsSet claims = verified.claims();
        Function<String, List<String>> values = f -> field(f) == null ? List.of() : field(f).apply(claims);
        // A rule naming a claim the token lacks just does not match; another rule still may.
        if (!AllowRules.anyMatches(token.allow(), values, globFields())) {
            throw new RefusalException(403, Refusal.ALLOW_RULES_NOT_MATCHED, "the " + name() + " token (sub '"
                    + claims.getSubject() + "') matches none of the allow rules of join token '" + token.name() + "'"
                    + missing(token.allow(), values) + "; add a rule for it or run the job where a rule allows");
        }
        return new VerifiedJoin(token.bot(), new Attestation(name(), token.name(), verified.proofId(),
                claims.getExpirationTime().toInstant()));
    }

    /** The fields the rules check that the token has no value for, as a clause of the refusal, or nothing. */
    private static String missing(List<Map<String, String>> rules, Function<String, List<String>> values) {
        List<String> lacking = rules.stream().flatMap(rule -> rule.keySet().stream()).distinct()
                .filter(field -> values.apply(field).isEmpty()).sorted().toList();
        return lacking.isEmpty() ? "" : " (it has no value for " + lacking.stream().map(f -> "'" + f + "'")
                .collect(java.util.stream.Collectors.joining(", ")) + ", which the rules check)";
    }

    /** Allow-rule fields that are claims of the same name. */
    protected static Map<String, Function<JWTClaimsSet, List<String>>> sameNamedClaims(List<String> names) {
        return names.stream().collect(java.util.stream.Collectors.toMap(name -> name, OidcJoinMethod::claim));
    }

    /** A claim's values: a string, each string of a list, or nothing. */
    protected static Function<JWTClaimsSet, List<String>> claim(String name) {
        return claims -> {
            Object value = claims.getClaim(name);
            if (value instanceof List<?> list) {
                return list.stream().map(String::valueOf).toList();
            }
            return value == null ? List.of() : List.of(String.valueOf(value));
        };
    }

    /**
     * The issuer a token names in its config, or the method's default; never taken from the platform token. Without
     * a trailing slash, so paths can be appended; {@link JwtVerifier} accepts an {@code iss} with or without one.
     */
    protected static String issuer(JoinTokenSpec token, String fallback) {
        return stripSlash(token.config("issuer", fallback));
    }

    protected static URI jwks(JoinTokenSpec token, String issuer, String defaultPath) {
        String configured = token.config().get("jwks_uri");
        try {
            return URI.create(configured != null ? configured : issuer + defaultPath);
        } catch (IllegalArgumentException e) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "the join token's issuer or jwks_uri is not a URL");
        }
    }

    protected static String required(JoinTokenSpec token, String key, String method) {
        String value = token.config().get(key);
        if (value == null || value.isBlank()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "a '" + method + "' join token needs config '" + key + "'");
        }
        return value;
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }


}
