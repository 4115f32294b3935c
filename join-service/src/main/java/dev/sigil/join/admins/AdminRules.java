package dev.sigil.join.admins;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;

/**
 * Which admin role each admin API request needs, by method and path: the one table of it. Reads need
 * {@code read-only}; writes to bots, join tokens, locks, deliveries and bot instances need {@code bot-admin}; writes
 * to roles, leaf clusters, the CA and admins, and anything not named here, need {@code ca-admin}. A write that
 * concerns an admin's bot (the bot itself, a join token or delivery for it, a lock on it) needs {@code ca-admin}
 * too, so a bot-admin cannot make itself or anyone else a stronger admin.
 */
public final class AdminRules {
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    /** One rule: requests whose method is in {@code methods} (empty: any write) and whose path matches. */
    record Rule(Set<String> methods, Pattern path, String role) {
        boolean matches(String method, String requestPath) {
            boolean methodMatches = methods.isEmpty() ? !READS.contains(method) : methods.contains(method);
            return methodMatches && path.matcher(requestPath).matches();
        }
    }

    /** First match wins. */
    static final List<Rule> RULES = List.of(
            new Rule(READS, Pattern.compile("/v1/admin(/.*)?"), AdminSpec.READ_ONLY),
            // Any admin may open the console; the console then has exactly that admin's roles.
            new Rule(Set.of("POST"), Pattern.compile("/v1/admin/console-sessions"), AdminSpec.READ_ONLY),
            new Rule(Set.of(), Pattern.compile("/v1/admin/(bots|tokens|locks|deliveries|bot-instances)(/.*)?"), AdminSpec.BOT_ADMIN),
            new Rule(Set.of(), Pattern.compile("/v1/admin/(roles|leaf-clusters|ca|admins)(/.*)?"), AdminSpec.CA_ADMIN));

    private static final Pattern RESOURCE = Pattern.compile("/v1/admin/([a-z-]+)(?:/([^/]+))?(?:/.*)?");

    /** The admin role a request needs. */
    public static String roleNeeded(String method, String path) {
        return RULES.stream().filter(r -> r.matches(method, path)).map(Rule::role).findFirst().orElse(AdminSpec.CA_ADMIN);
    }

    /**
     * The bot a write is about, when the path or body name one: {@code bots/<name>} or a bot's {@code name}, a join
     * token's or delivery's {@code bot}, a lock's {@code bot:<name>} target, {@code bot-instances/<bot>/...}.
     */
    public static Optional<String> botConcerned(String method, String path, JsonNode body) {
        if (READS.contains(method)) {
            return Optional.empty();
        }
        Matcher m = RESOURCE.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String kind = m.group(1);
        String name = m.group(2);
        JsonNode json = body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body;
        return Optional.ofNullable(switch (kind) {
            case "bots" -> name != null ? name : text(json, "name");
            case "tokens", "deliveries" -> text(json, "bot");
            case "bot-instances" -> name;
            case "locks" -> {
                String target = name != null ? name : text(json, "target");
                yield target != null && target.startsWith("bot:") ? target.substring(4) : null;
            }
            default -> null;
        });
    }

    /** An existing resource a write reaches by name, whose current bot decides too: a token, delivery, instance. */
    public record Reference(String kind, String name) {
        public static final String TOKEN = "join-token";
        public static final String DELIVERY = "delivery";
        public static final String INSTANCE = "instance";
    }

    /**
     * The existing resources a write reaches by name: {@code tokens/<name>} or a token's {@code name},
     * {@code deliveries/<id>} or a delivery's {@code id}, a lock's {@code instance:<id>} or {@code join-token:<name>}
     * target. Their current bot may be an admin's even when the request names another bot (or none).
     */
    public static List<Reference> references(String method, String path, JsonNode body) {
        if (READS.contains(method)) {
            return List.of();
        }
        Matcher m = RESOURCE.matcher(path);
        if (!m.matches()) {
            return List.of();
        }
        String name = m.group(2);
        JsonNode json = body == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : body;
        List<Reference> references = new java.util.ArrayList<>();
        switch (m.group(1)) {
            case "tokens" -> {
                add(references, Reference.TOKEN, name);
                add(references, Reference.TOKEN, text(json, "name"));
            }
            case "deliveries" -> {
                add(references, Reference.DELIVERY, name);
                add(references, Reference.DELIVERY, text(json, "id"));
            }
            case "locks" -> {
                for (String target : java.util.Arrays.asList(name, text(json, "target"))) {
                    if (target != null && target.startsWith("instance:")) {
                        add(references, Reference.INSTANCE, target.substring("instance:".length()));
                    } else if (target != null && target.startsWith("join-token:")) {
                        add(references, Reference.TOKEN, target.substring("join-token:".length()));
                    }
                }
            }
            default -> {
            }
        }
        return List.copyOf(new java.util.LinkedHashSet<>(references));
    }

    private static void add(List<Reference> references, String kind, String name) {
        if (name != null && !name.isEmpty()) {
            references.add(new Reference(kind, name));
        }
    }

    /** What a request is about, for the audit line: {@code bots/ci}, or the kind alone. */
    static String target(String path, JsonNode body) {
        Matcher m = RESOURCE.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String name = m.group(2);
        if (name == null && body != null) {
            for (String field : List.of("name", "target", "id", "bot")) {
                name = text(body, field);
                if (name != null) {
                    break;
                }
            }
        }
        String target = name == null ? m.group(1) : m.group(1) + "/" + name;
        String bot = body == null ? null : text(body, "bot");
        // The bot is what matters in a token or delivery: {"name":"harmless","bot":"prod"} is prod's.
        return bot != null && List.of("tokens", "deliveries").contains(m.group(1)) ? target + " for bot " + bot : target;
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private AdminRules() {
    }
}
