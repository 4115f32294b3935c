package dev.sigil.join.joinmethod.iam;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * AWS STS's GetCallerIdentity on loopback: checks the AWS Signature Version 4 of each request against the one
 * credential it knows and answers with that credential's identity in STS's JSON form, or 403. {@link #sign}
 * signs requests the way an AWS SDK would, for the bot's side of the tests.
 */
public final class FakeSts implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIDEXAMPLE";
    public static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public static final String ACCOUNT = "123456789012";
    public static final String ARN = "arn:aws:sts::123456789012:assumed-role/ci-runner/i-0abc";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final HttpServer server;
    public final AtomicInteger requests = new AtomicInteger();

    public FakeSts() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            boolean valid = verify(headers, new String(body, StandardCharsets.UTF_8));
            String answer = valid
                    ? "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"" + ACCOUNT
                            + "\",\"Arn\":\"" + ARN + "\",\"UserId\":\"AROAEXAMPLE:i-0abc\"}}}"
                    : "{\"Error\":{\"Code\":\"SignatureDoesNotMatch\"}}";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(valid ? 200 : 403, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public String url() {
        return "http://" + host();
    }

    /** Headers of a GetCallerIdentity request for {@code host}, signed with SigV4, the given extra headers signed too. */
    public static Map<String, String> sign(String host, String body, Map<String, String> extraSigned, String secret) {
        String amzDate = ZonedDateTime.now(ZoneOffset.UTC).format(AMZ_DATE);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", host);
        headers.put("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        headers.put("X-Amz-Date", amzDate);
        headers.putAll(extraSigned);
        List<String> signed = headers.keySet().stream().map(String::toLowerCase).sorted().toList();
        String scope = amzDate.substring(0, 8) + "/us-east-1/sts/aws4_request";
        String signature = signature(headers, signed, body, amzDate, scope, secret);
        headers.put("Authorization", "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/" + scope + ", SignedHeaders="
                + String.join(";", signed) + ", Signature=" + signature);
        return headers;
    }

    private static boolean verify(Map<String, String> headers, String body) {
        String authorization = headers.getOrDefault("Authorization", "");
        if (!authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            return false;
        }
        Map<String, String> parts = new TreeMap<>();
        Arrays.stream(authorization.substring(17).split(",")).map(String::trim)
                .forEach(p -> parts.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1)));
        String credential = parts.getOrDefault("Credential", "");
        if (!credential.startsWith(ACCESS_KEY + "/")) {
            return false;
        }
        List<String> signed = List.of(parts.getOrDefault("SignedHeaders", "").split(";"));
        String expected = signature(headers, signed, body, headers.get("X-Amz-Date"),
                credential.substring(ACCESS_KEY.length() + 1), SECRET_KEY);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts.getOrDefault("Signature", "").getBytes(StandardCharsets.US_ASCII));
    }

    private static String signature(Map<String, String> headers, List<String> signed, String body, String amzDate,
            String scope, String secret) {
        Map<String, String> lower = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        lower.putAll(headers);
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signed) {
            canonicalHeaders.append(name).append(':').append(String.valueOf(lower.get(name)).trim()).append('\n');
        }
        String canonicalRequest = "POST\n/\n\n" + canonicalHeaders + "\n" + String.join(";", signed) + "\n" + sha256Hex(body);
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest);
        String[] scopeParts = scope.split("/");
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), scopeParts[0]);
        key = hmac(key, scopeParts[1]);
        key = hmac(key, scopeParts[2]);
        key = hmac(key, "aws4_request");
        return HexFormat.of().formatHex(hmac(key, stringToSign));
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
