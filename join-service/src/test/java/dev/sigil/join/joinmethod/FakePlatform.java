package dev.sigil.join.joinmethod;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

/**
 * A CI platform's OIDC side on loopback, speaking the real wire format: it publishes a JWK set (at every path the
 * join methods use) and OIDC discovery, and mints RS256 and ES256 tokens, plus the forged kinds an attacker would
 * try. It can rotate a new key in, published from then on.
 */
public final class FakePlatform implements AutoCloseable {
    public final RSAKey signingKey;
    public final ECKey ecSigningKey;
    private final RSAKey impostorKey;
    private final List<JWK> published = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    public final AtomicInteger jwksFetches = new AtomicInteger();

    public FakePlatform() throws IOException, JOSEException {
        signingKey = new RSAKeyGenerator(2048).keyID("platform-key").generate();
        ecSigningKey = new ECKeyGenerator(Curve.P_256).keyID("platform-ec-key").generate();
        impostorKey = new RSAKeyGenerator(2048).keyID("platform-key").generate();
        published.add(signingKey.toPublicJWK());
        published.add(ecSigningKey.toPublicJWK());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body;
            if (path.endsWith("/.well-known/openid-configuration")) {
                body = "{\"issuer\":\"" + url() + "\",\"jwks_uri\":\"" + url() + "/jwks\"}";
            } else if (path.endsWith("jwks") || path.endsWith("/keys") || path.endsWith("jwks-pub.json")) {
                jwksFetches.incrementAndGet();
                body = publicJwks();
            } else {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The public keys as a JWK set, for join tokens with {@code static_jwks}. */
    public String publicJwks() {
        return new JWKSet(List.copyOf(published)).toString();
    }

    /** A new RS256 key, published from now on beside the others: a key rotation. */
    public RSAKey rotateIn(String keyId) throws JOSEException {
        RSAKey key = new RSAKeyGenerator(2048).keyID(keyId).generate();
        published.add(key.toPublicJWK());
        return key;
    }

    /** Claims valid for the next ten minutes, from the given issuer, for the given audience, with extra claims. */
    public static JWTClaimsSet.Builder claims(String issuer, String audience, Map<String, Object> extra) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject("job")
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .jwtID(java.util.UUID.randomUUID().toString());
        extra.forEach(b::claim);
        return b;
    }

    public String sign(JWTClaimsSet claims) throws JOSEException {
        return sign(claims, signingKey);
    }

    /** ES256 with the platform's published EC key. */
    public String signEs256(JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ecSigningKey.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(ecSigningKey));
        return jwt.serialize();
    }

    /** Signed with a key of the same id that the platform never published. */
    public String signWithImpostorKey(JWTClaimsSet claims) throws JOSEException {
        return sign(claims, impostorKey);
    }

    /** {@code alg: none}. */
    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    /** HS256 with the platform's public key as the HMAC secret: the classic key-confusion attack. */
    public String hmacWithPublicKey(JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signingKey.getKeyID()).build(), claims);
        jwt.sign(new MACSigner(signingKey.toPublicKey().getEncoded()));
        return jwt.serialize();
    }

    /** RS256 with the given key, published or not, under its key id. */
    public static String sign(JWTClaimsSet claims, RSAKey key) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
