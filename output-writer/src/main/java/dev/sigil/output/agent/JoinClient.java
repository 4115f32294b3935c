package dev.sigil.output.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.MalformedEventException;
import dev.sigil.contract.OutputRequest;
import dev.sigil.contract.Refusal;
import dev.sigil.output.agent.proof.JoinProof;

/** The agent's side of join-service's API: joins and renewals send proofs and public keys, never a private key. */
public final class JoinClient {
    private static final int ATTEMPTS = 3;

    private final HttpClient http;
    private final URI base;

    /** A client of join-service at {@code serviceUrl}; an https URL needs the CA pins to trust. */
    public JoinClient(URI serviceUrl, List<String> caPins) {
        this.base = serviceUrl;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if ("https".equals(serviceUrl.getScheme())) {
            if (caPins.isEmpty()) {
                throw new IllegalArgumentException("joining over https needs --ca-pin sha256:<hex> (the launcher prints it)");
            }
            builder.sslContext(new CaPins(caPins).sslContext());
        }
        this.http = builder.build();
    }

    /** Joins and returns the issued identity; a refusal comes back as {@link JoinRefusedException}. */
    public IssueResult join(String joinMethod, String token, String publicKey, Duration ttl)
            throws IOException, InterruptedException, JoinRefusedException {
        return join(joinMethod, token, JoinProof.NONE, publicKey, ttl, List.of(), null);
    }

    /**
     * Joins with the join token and the method's proof (a platform's token, a signed challenge, a signed STS
     * request), asking for the outputs too; a bot that still holds an identity presents it, so the join keeps its
     * bot instance.
     */
    public IssueResult join(String joinMethod, String token, JoinProof proof, String publicKey, Duration ttl,
            List<OutputRequest> outputs, Map<String, String> previousIdentity)
            throws IOException, InterruptedException, JoinRefusedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("joinMethod", joinMethod);
        body.put("token", token);
        if (proof.idToken() != null) {
            body.put("idToken", proof.idToken());
        }
        if (proof.challenge() != null) {
            body.put("challenge", proof.challenge());
        }
        if (proof.signature() != null) {
            body.put("signature", proof.signature());
        }
        if (proof.stsRequest() != null) {
            body.put("stsRequest", proof.stsRequest());
        }
        body.put("publicKey", publicKey);
        putTtl(body, ttl);
        putOutputs(body, outputs);
        if (previousIdentity != null) {
            body.put("previousIdentity", previousIdentity);
        }
        return EventJson.read(post("/v1/join", body), IssueResult.class);
    }

    /** A fresh challenge to sign. */
    public String challenge() throws IOException, InterruptedException, JoinRefusedException {
        return EventJson.MAPPER.readTree(postOnce("/v1/join/challenge", Map.of())).path("challenge").asText();
    }

    /** Renews with the current certificate and the challenge signed by its key, for a new public key. */
    public IssueResult renew(String certificate, String challenge, byte[] signature, String publicKey, Duration ttl)
            throws IOException, InterruptedException, JoinRefusedException {
        return renew(certificate, challenge, signature, publicKey, ttl, List.of());
    }

    /** Renews as above, asking for the outputs too, each for its own new public key. */
    public IssueResult renew(String certificate, String challenge, byte[] signature, String publicKey, Duration ttl,
            List<OutputRequest> outputs) throws IOException, InterruptedException, JoinRefusedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("certificate", certificate);
        body.put("challenge", challenge);
        body.put("signature", java.util.Base64.getEncoder().encodeToString(signature));
        body.put("publicKey", publicKey);
        putTtl(body, ttl);
        putOutputs(body, outputs);
        return EventJson.read(post("/v1/renew", body), IssueResult.class);
    }

    private static void putOutputs(Map<String, Object> body, List<OutputRequest> outputs) {
        if (!outputs.isEmpty()) {
            body.put("outputs", outputs);
        }
    }

    private static void putTtl(Map<String, Object> body, Duration ttl) {
        if (ttl != null) {
            body.put("ttl", ttl.toString());
        }
    }

    /**
     * Posts, retrying when join-service is unavailable or the connection fails. Joins and renewals carry one request
     * id across the retries, so a retry whose first attempt did succeed gets the same certificates back.
     */
    private String post(String path, Map<String, Object> body) throws IOException, InterruptedException, JoinRefusedException {
        body.putIfAbsent("requestId", java.util.UUID.randomUUID().toString());
        for (int attempt = 1;; attempt++) {
            try {
                return postOnce(path, body);
            } catch (JoinRefusedException e) {
                if (e.status() != 503 || attempt == ATTEMPTS) {
                    throw e;
                }
            } catch (IOException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
            java.util.concurrent.TimeUnit.SECONDS.sleep(attempt); // back off: 1 s, then 2 s
        }
    }

    private String postOnce(String path, Object body) throws IOException, InterruptedException, JoinRefusedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EventJson.write(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
            return response.body();
        }
        Refusal refusal;
        try {
            refusal = EventJson.read(response.body(), Refusal.class);
        } catch (MalformedEventException e) {
            refusal = new Refusal("HTTP_" + response.statusCode(), "join-service answered " + response.statusCode()
                    + " without a reason; check --join-url points at join-service");
        }
        throw new JoinRefusedException(response.statusCode(), refusal);
    }

    /** join-service refused the join, with its reason code and message. */
    public static final class JoinRefusedException extends Exception {
        private final int status;
        private final Refusal refusal;

        JoinRefusedException(int status, Refusal refusal) {
            super(refusal.code() + ": " + refusal.message());
            this.status = status;
            this.refusal = refusal;
        }

        public int status() {
            return status;
        }

        public Refusal refusal() {
            return refusal;
        }
    }
}
