package dev.sigil.deploy;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.contract.LockSpec;
import dev.sigil.contract.RoleSpec;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * Makes an admin without the admin API, the way Teleport's first admin is made: on the server side, with the
 * operator's bus identity, it writes the admin's role, its bot, the admins-table entry and a one-time join token
 * straight to the desired-state topics. The token is shown once; {@code sigil login} joins with it as the bot.
 */
public final class AdminBootstrap {
    /**
     * The role of admin bots. An admin needs no SSH login, but Sigil never issues an SSH certificate without a
     * principal (OpenSSH would take an empty list as "any user"), so the role grants one that names no real user.
     */
    public static final String ROLE = "sigil-admin";
    public static final String LOGIN = "sigil-admin";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A bootstrapped admin and its one-time join token's secret. */
    public record Bootstrapped(String name, String role, String token, Instant tokenExpires) {
        /** The file {@link #loginCommand} reads the token from: a secret on a command line stays in shell history and /proc. */
        public static final String TOKEN_FILE = "sigil-login-token";

        /** What the admin runs to log in once the token is saved in {@link #TOKEN_FILE} (see {@link #loginLines}). */
        public String loginCommand(URI joinUrl, String caPin) {
            return "sigil login --join-url " + joinUrl + " --ca-pin " + caPin + " --token-file " + TOKEN_FILE;
        }

        /** How to log in, for a person: the secret on a line of its own, then the command that reads it from a file. */
        public String loginLines(URI joinUrl, String caPin) {
            return "The one-time join token (a secret):\n  " + token + "\nSave it in a file only you can read, "
                    + TOKEN_FILE + " (umask 077; cat > " + TOKEN_FILE + "), then run:\n  " + loginCommand(joinUrl, caPin);
        }
    }

    /** Writes admin {@code name} with {@code adminRole} (ca-admin for the first) and a join token valid {@code tokenTtl}. */
    public static Bootstrapped bootstrap(Map<String, Object> kafkaClient, String name, String adminRole, Duration tokenTtl) {
        if (!AdminSpec.ROLES.contains(adminRole)) {
            throw new IllegalArgumentException("an admin role is one of " + AdminSpec.ROLES + ", not " + adminRole);
        }
        dev.sigil.contract.Names.RESOURCE.firstProblem(List.of(name)).ifPresent(problem -> {
            throw new IllegalArgumentException("the admin's name is its bot's: " + problem);
        });
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(secretBytes);
        String secret = HexFormat.of().formatHex(secretBytes);
        Instant expires = Instant.now().plus(tokenTtl);
        Map<String, Object> settings = new java.util.HashMap<>(kafkaClient);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            if (!isAdmin(kafkaClient, name)) {
                startClean(kafkaClient, producer, name);
            }
            // In this order: whatever reads the token finds its bot and role already written.
            send(producer, Topics.ROLES, ROLE, new RoleSpec(ROLE, List.of(LOGIN), null));
            send(producer, Topics.BOTS, name, new BotSpec(name, List.of(ROLE), Map.of(), null));
            send(producer, Topics.ADMINS, name, new AdminSpec(name, List.of(adminRole)));
            String tokenName = tokenName(secret);
            send(producer, Topics.JOIN_TOKENS, tokenName, new JoinTokenSpec(tokenName, name, "token", expires, null, null));
        }
        return new Bootstrapped(name, adminRole, secret, expires);
    }

    /** The reason on the lock of each instance a bot had before it was made an admin (as the admin API writes it). */
    static final String MADE_AN_ADMIN = "instance from before the bot was made an admin";

    private static boolean isAdmin(Map<String, Object> kafkaClient, String name) {
        return latest(kafkaClient, Topics.ADMINS).get(name) != null;
    }

    /**
     * As the admin API does when a bot becomes an admin: the join tokens and instances it had are of no admin's making
     * (a bot-admin may have made them), so its tokens are deleted and its instances locked before it is made one.
     */
    private static void startClean(Map<String, Object> kafkaClient, KafkaProducer<String, String> producer, String name) {
        latest(kafkaClient, Topics.JOIN_TOKENS).forEach((key, value) -> {
            if (value != null && name.equals(readOrNull(value, JoinTokenSpec.class, JoinTokenSpec::bot))) {
                sendRaw(producer, Topics.JOIN_TOKENS, key, null);
            }
        });
        latest(kafkaClient, Topics.BOT_INSTANCES).forEach((key, value) -> {
            BotInstanceStatus status = value == null ? null : readOrNull(value, BotInstanceStatus.class, s -> s);
            if (status != null && name.equals(status.bot()) && status.instance() != null) {
                String target = LockSpec.instance(status.instance().instanceId());
                send(producer, Topics.LOCKS, target, new LockSpec(target, MADE_AN_ADMIN, null));
            }
        });
    }

    /** Each key's latest value on a compacted topic (null: deleted). */
    private static Map<String, String> latest(Map<String, Object> kafkaClient, String topic) {
        Map<String, String> latest = new java.util.HashMap<>();
        TopicReader.readAll(kafkaClient, List.of(topic), true, Duration.ofSeconds(30), r -> latest.put(r.key(), r.value()));
        return latest;
    }

    private static <T, R> R readOrNull(String json, Class<T> type, java.util.function.Function<T, R> field) {
        try {
            return field.apply(EventJson.read(json, type));
        } catch (RuntimeException e) {
            return null; // not ours to judge here: join-service skips it too
        }
    }

    /** As join-service names a token: the hex SHA-256 of its secret, so topics never hold the secret. */
    static String tokenName(String secret) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, Object value) {
        sendRaw(producer, topic, key, EventJson.write(value));
    }

    private static void sendRaw(KafkaProducer<String, String> producer, String topic, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not write " + topic + " (is this the operator's bus identity?): "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + topic, e);
        }
    }

    private AdminBootstrap() {
    }
}
