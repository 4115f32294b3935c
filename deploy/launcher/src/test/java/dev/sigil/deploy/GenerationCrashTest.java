package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.sigil.contract.EventJson;

/**
 * issuer-service killed with -9 while a bot renews back to back: renewals in flight wait in Kafka (or are retried
 * with the same request id, which gets the first answer), each is answered exactly once, and the generations form
 * an unbroken sequence, so none was lost or counted twice. A kill inside the issuer's processing aborts its
 * exactly-once transaction, and the renewal is processed again from the start.
 */
@ExtendWith(SigilCluster.class)
class GenerationCrashTest {
    private static final int BEFORE_KILL = 4;
    private static final int AFTER_RESTART = 4;
    private static volatile Instant restartedAt;

    @Test
    void killingTheIssuerMidStreamNeitherLosesNorDoubleCountsAGeneration(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Ed25519PrivateKeyParameters key = Bots.newKey();
        Bots.Answer joined = Bots.post(cluster, "/v1/join", EventJson.write(Map.of("token",
                Bots.admin(cluster).createToken(bot, "10m"), "publicKey", Bots.publicKey(key))), null);
        String certificate = joined.body().at("/identity/tlsCertificate").asText();

        List<Long> generations = new ArrayList<>();
        List<Instant[]> spans = new ArrayList<>();
        CompletableFuture<Void> crash = null;
        int afterRestart = 0;
        // Renew back to back until the issuer was killed, restarted, and renewed for a few more times.
        for (int i = 0; afterRestart < AFTER_RESTART; i++) {
            if (i == BEFORE_KILL) {
                crash = CompletableFuture.runAsync(() -> killAndRestartIssuer(cluster));
            }
            Ed25519PrivateKeyParameters next = Bots.newKey();
            Instant started = Instant.now();
            Bots.Answer renewed = renewWithRetries(cluster, certificate, key, next);
            spans.add(new Instant[] { started, Instant.now() });
            generations.add(renewed.body().at("/identity/generation").asLong());
            certificate = renewed.body().at("/identity/tlsCertificate").asText();
            key = next;
            if (crash != null && crash.isDone()) {
                afterRestart++;
            }
        }
        crash.get();

        List<Long> expected = new ArrayList<>();
        for (long g = 2; g < 2 + generations.size(); g++) {
            expected.add(g);
        }
        assertThat(generations).containsExactlyElementsOf(expected);
        assertThat(spans).as("a renewal was in flight while the issuer was down")
                .anyMatch(span -> !span[0].isAfter(restartedAt) && !span[1].isBefore(restartedAt));
    }

    /** What the agent does: one request id, retried while Sigil answers 503 or the connection fails. */
    private static Bots.Answer renewWithRetries(LocalCluster cluster, String certificate, Ed25519PrivateKeyParameters current,
            Ed25519PrivateKeyParameters next) throws Exception {
        String requestId = UUID.randomUUID().toString();
        String challenge = Bots.challenge(cluster);
        String body = EventJson.write(Map.of("certificate", certificate, "challenge", challenge,
                "signature", Bots.sign(current, challenge), "publicKey", Bots.publicKey(next), "requestId", requestId));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            try {
                Bots.Answer answer = Bots.post(cluster, "/v1/renew", body, null);
                if (answer.status() != 503) {
                    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
                    return answer;
                }
            } catch (java.io.IOException joinServiceBusy) {
                // retried below, like the agent
            }
            assertThat(Instant.now()).as("renewal answered before the deadline").isBefore(deadline);
        }
    }

    private static void killAndRestartIssuer(LocalCluster cluster) {
        try {
            cluster.kill(Service.ISSUER);
            cluster.restart(Service.ISSUER);
            restartedAt = Instant.now();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
