package dev.sigil.deploy;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;

/** What the end-to-end tests do as a bot or an admin: set one up, join over plain HTTP, run a tool. */
final class Bots {
    /** A fresh bot with its own role, named uniquely so tests do not see each other's state. */
    static String newBot(LocalCluster cluster, List<String> logins) throws IOException, InterruptedException {
        String name = "bot-" + UUID.randomUUID().toString().substring(0, 8);
        AdminClient admin = admin(cluster);
        admin.createRole(name + "-role", List.of("{{internal.logins}}"));
        admin.createBot(name, List.of(name + "-role"), logins);
        return name;
    }

    static AdminClient admin(LocalCluster cluster) {
        return new AdminClient(cluster);
    }

    /**
     * Runs the agent once for the bot, as a CI job would: a fresh one-time token in a 0600-like file beside the
     * destination, then {@code start --oneshot}; extra arguments are appended.
     */
    static LocalCluster.ProcessResult agentJoin(LocalCluster cluster, java.nio.file.Path destination, String bot, String... extra)
            throws IOException, InterruptedException {
        java.nio.file.Path tokenFile = java.nio.file.Files.writeString(
                destination.resolveSibling(destination.getFileName() + ".token"), admin(cluster).createToken(bot, "10m"));
        List<String> args = new java.util.ArrayList<>(List.of("start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(),
                "--ca-pin", cluster.caPin(), "--token-file", tokenFile.toString(), "--destination", destination.toString()));
        args.addAll(List.of(extra));
        return cluster.runAgent(args.toArray(String[]::new));
    }

    /** The status and JSON body of a join-service answer. */
    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body.path("code").asText();
        }
    }

    static Answer join(LocalCluster cluster, String token, String publicKey) throws IOException, InterruptedException {
        return post(cluster, "/v1/join", EventJson.write(Map.of("joinMethod", "token", "token", token, "publicKey", publicKey)), null);
    }

    /** Posts with the launcher admin's certificate (a ca-admin); a bearer token, if given, is sent too (and ignored). */
    static Answer post(LocalCluster cluster, String path, String body, String bearer) throws IOException, InterruptedException {
        return post(cluster.httpClient(), cluster, path, body, bearer);
    }

    /** Posts without any client certificate, as anyone who is no admin would. */
    static Answer postAnonymously(LocalCluster cluster, String path, String body, String bearer) throws IOException, InterruptedException {
        return post(cluster.anonymousHttpClient(), cluster, path, body, bearer);
    }

    static Answer post(java.net.http.HttpClient http, LocalCluster cluster, String path, String body, String bearer)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isBlank() ? EventJson.MAPPER.createObjectNode() : EventJson.MAPPER.readTree(response.body());
        return new Answer(response.statusCode(), json, response);
    }

    /** Every record with this key on a topic, from the beginning (null values are tombstones). */
    static List<String> records(LocalCluster cluster, String topic, String key) {
        return dev.sigil.contract.TopicReader.valuesOf(cluster.kafkaClient(), topic, key, java.time.Duration.ofSeconds(30));
    }

    static String newPublicKey() {
        return BotKeys.newPublicKey();
    }

    /** A holder's Ed25519 key, as the agent makes one. */
    static Ed25519PrivateKeyParameters newKey() {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        return (Ed25519PrivateKeyParameters) generator.generateKeyPair().getPrivate();
    }

    static String publicKey(Ed25519PrivateKeyParameters key) throws IOException {
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(key.generatePublicKey()));
    }

    /** A Sigil challenge signed with the key, base64, as join and renew requests carry it. */
    static String sign(Ed25519PrivateKeyParameters key, String challenge) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        byte[] message = challenge.getBytes(StandardCharsets.UTF_8);
        signer.update(message, 0, message.length);
        return Base64.getEncoder().encodeToString(signer.generateSignature());
    }

    static String challenge(LocalCluster cluster) throws IOException, InterruptedException {
        return post(cluster, "/v1/join/challenge", "", null).body().get("challenge").asText();
    }

    /** Runs a command (in UTC) and returns what it printed (stdout and stderr together) with its exit code. */
    record Run(int exitCode, String output) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TZ", "UTC"); // ssh-keygen -L prints validity in local time
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    /** When the X.509 certificate in a PEM file expires. */
    static java.time.Instant notAfter(java.nio.file.Path pem) throws Exception {
        try (var in = java.nio.file.Files.newInputStream(pem)) {
            return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in)).getNotAfter().toInstant();
        }
    }

    private Bots() {
    }
}
