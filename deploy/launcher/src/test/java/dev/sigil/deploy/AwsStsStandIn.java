package dev.sigil.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * AWS STS on loopback, for {@code sts:GetCallerIdentity} only, answering as STS does: {@code POST /} with the form
 * body {@code Action=GetCallerIdentity&Version=2011-06-15}, authenticated by AWS Signature Version 4 (checked here
 * independently of the AWS SDK, with the secret key of the one credential it knows), answered with the caller's
 * {@code Arn}, {@code UserId} and {@code Account} as XML, or as JSON when asked with {@code Accept: application/json}.
 * Refusals are STS's own: 403 {@code SignatureDoesNotMatch} (also for a request signed too long ago),
 * 403 {@code InvalidClientTokenId} for an unknown access key or session token, 403 {@code MissingAuthenticationToken},
 * 400 {@code InvalidAction}, each in an {@code ErrorResponse} (or its JSON form).
 */
final class AwsStsStandIn implements AutoCloseable {
    static final String ACCESS_KEY = "ASIAQSIGILSTANDIN01";
    static final String SECRET_KEY = "sT4nd1n/K7MDENG+bPxRfiCYsigilSECRETkey01";
    static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEsigil-stand-in-session-token";
    static final String ACCOUNT = "210987654321";
    static final String ARN = "arn:aws:sts::" + ACCOUNT + ":assumed-role/ci-deploy/i-0sigil";
    static final String USER_ID = "AROAQSIGILSTANDINROLE:i-0sigil";
    private static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What the stand-in answered, newest last: the error code (or "OK") and the request's X-Sigil-Challenge. */
    record Answer(String code, String challenge) {
    }

    final List<Answer> answers = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    AwsStsStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The endpoint, as AWS_ENDPOINT_URL_STS and join-service's allow-list name it. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Headers headers = exchange.getRequestHeaders();
            boolean json = String.valueOf(headers.getFirst("Accept")).contains("application/json");
            String challenge = headers.getFirst("X-Sigil-Challenge");
            String refusal = refusal(exchange, headers, body);
            String requestId = UUID.randomUUID().toString();
            int status;
            String answer;
            if (refusal == null) {
                answers.add(new Answer("OK", challenge));
                status = 200;
                answer = json
                        ? "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"" + ACCOUNT + "\",\"Arn\":\""
                                + ARN + "\",\"UserId\":\"" + USER_ID + "\"},\"ResponseMetadata\":{\"RequestId\":\"" + requestId + "\"}}}"
                        : "<GetCallerIdentityResponse xmlns=\"" + NAMESPACE + "\">\n  <GetCallerIdentityResult>\n    <Arn>" + ARN
                                + "</Arn>\n    <UserId>" + USER_ID + "</UserId>\n    <Account>" + ACCOUNT
                                + "</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>" + requestId
                                + "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n";
            } else {
                String code = refusal.substring(0, refusal.indexOf(' '));
                String message = refusal.substring(refusal.indexOf(' ') + 1);
                answers.add(new Answer(code, challenge));
                status = code.equals("InvalidAction") ? 400 : 403;
                answer = json
                        ? "{\"Error\":{\"Code\":\"" + code + "\",\"Message\":\"" + message + "\",\"Type\":\"Sender\"},\"RequestId\":\""
                                + requestId + "\"}"
                        : "<ErrorResponse xmlns=\"" + NAMESPACE + "\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>" + code
                                + "</Code>\n    <Message>" + message + "</Message>\n  </Error>\n  <RequestId>" + requestId
                                + "</RequestId>\n</ErrorResponse>\n";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", json ? "application/json" : "text/xml");
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** Why STS would refuse the request ("Code message"), or null when it is a valid, signed GetCallerIdentity. */
    private static String refusal(HttpExchange exchange, Headers headers, byte[] body) {
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        if (!exchange.getRequestMethod().equals("POST") || !"GetCallerIdentity".equals(form.get("Action"))
                || !"2011-06-15".equals(form.get("Version"))) {
            return "InvalidAction Could not find operation " + form.get("Action") + " for version " + form.get("Version");
        }
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return "MissingAuthenticationToken Request is missing Authentication Token";
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : authorization.substring(17).split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq > 0) {
                parts.put(p.substring(0, eq), p.substring(eq + 1));
            }
        }
        String[] credential = parts.getOrDefault("Credential", "").split("/");
        List<String> signed = List.of(parts.getOrDefault("SignedHeaders", "").split(";"));
        if (credential.length != 5 || !credential[0].equals(ACCESS_KEY)) {
            return "InvalidClientTokenId The security token included in the request is invalid.";
        }
        if (!SESSION_TOKEN.equals(headers.getFirst("X-Amz-Security-Token")) || !signed.contains("x-amz-security-token")) {
            return "InvalidClientTokenId The security token included in the request is invalid.";
        }
        String amzDate = headers.getFirst("X-Amz-Date");
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(String.valueOf(amzDate)));
        } catch (DateTimeParseException e) {
            return "IncompleteSignature Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'.";
        }
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(MAX_SKEW) > 0) {
            return "SignatureDoesNotMatch Signature expired: " + amzDate + " is now earlier than "
                    + AMZ_DATE.format(Instant.now().minus(MAX_SKEW)) + " (" + AMZ_DATE.format(Instant.now()) + " - 15 min.)";
        }
        if (!signed.contains("host") || !credential[1].equals(amzDate.substring(0, 8)) || !credential[3].equals("sts")
                || !credential[4].equals("aws4_request")) {
            return "SignatureDoesNotMatch Credential should be scoped to a valid region and service 'sts'.";
        }
        String expected = signature(exchange, headers, signed, body, amzDate, credential);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts.getOrDefault("Signature", "").getBytes(StandardCharsets.US_ASCII))) {
            return "SignatureDoesNotMatch The request signature we calculated does not match the signature you provided. "
                    + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
        }
        return null;
    }

    /** SigV4: HMAC chain over the canonical request built from the signed headers, as AWS documents it. */
    private static String signature(HttpExchange exchange, Headers headers, List<String> signed, byte[] body, String amzDate,
            String[] credential) {
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signed) {
            List<String> values = headers.getOrDefault(name, List.of());
            List<String> trimmed = new ArrayList<>();
            values.forEach(v -> trimmed.add(v.trim().replaceAll(" +", " ")));
            canonicalHeaders.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        String query = exchange.getRequestURI().getRawQuery();
        String canonicalQuery = query == null ? "" : String.join("&", Arrays.stream(query.split("&")).sorted().toList());
        String canonicalRequest = exchange.getRequestMethod() + "\n" + exchange.getRequestURI().getRawPath() + "\n" + canonicalQuery
                + "\n" + canonicalHeaders + "\n" + String.join(";", signed) + "\n" + hex(sha256(body));
        String scope = String.join("/", Arrays.copyOfRange(credential, 1, 5));
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = ("AWS4" + SECRET_KEY).getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < 5; i++) {
            key = hmac(key, credential[i]);
        }
        return hex(hmac(key, stringToSign));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
