package dev.sigil.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.ProducerRecord;

import dev.sigil.contract.Attestation;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueRequest;
import dev.sigil.contract.RequestSignatures;
import dev.sigil.deploy.AdminClient;

/**
 * Bots with one delivery each, for drivers that put issue requests straight on Kafka: a delivery request is the
 * one kind the issuer takes without a join-service in front (the delivery on {@code sigil.deliveries} is the proof).
 */
final class DeliveryBots {
    private DeliveryBots() {
    }

    /** Creates {@code count} bots {@code bench-0..} allowed login {@code deploy}, each with delivery {@code <bot>-d}. */
    static List<String> create(AdminClient admin, int count) throws IOException, InterruptedException {
        admin.createRole("bench-role", List.of("deploy"));
        List<String> bots = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String bot = "bench-" + i;
            admin.createBot(bot, List.of("bench-role"), List.of("deploy"));
            admin.createDelivery(bot + "-d", bot, "identity", "/var/lib/sigil/bench/" + bot, "1h");
            bots.add(bot);
        }
        return bots;
    }

    /** An issue request for the bot's delivery, as output-writer sends one. */
    private static RequestSignatures.Signer signer;

    /**
     * Requests go out signed as the cluster-wide output-writer, as the issuer requires of a delivery's requests;
     * null: unsigned, for a Sigil run without bus security.
     */
    static void signAs(Path identity) {
        signer = identity == null ? null : RequestSignatures.Signer.fromDirectory(identity);
    }

    /** A delivery's issue request as output-writer sends it: keyed by bot, signed. */
    static ProducerRecord<String, String> issueRecord(String topic, String requestId, String bot, String publicKey) {
        String value = issueRequest(requestId, bot, publicKey);
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, bot, value);
        if (signer != null) {
            signer.sign(record.headers(), value);
        }
        return record;
    }

    static String issueRequest(String requestId, String bot, String publicKey) {
        return EventJson.write(new IssueRequest(requestId, bot, new Attestation("delivery", bot + "-d", null, null),
                publicKey, Duration.ofHours(1), Instant.now(), null, List.of()));
    }
}
