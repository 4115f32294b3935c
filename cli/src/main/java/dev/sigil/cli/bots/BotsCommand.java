package dev.sigil.cli.bots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.cli.api.ApiRefusal;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Bots: who may join and which roles they impersonate. */
@Command(name = "bots", mixinStandardHelpOptions = true, description = "Bots: add, ls, show, update, rm.",
        subcommands = { BotsCommand.Add.class, BotsCommand.Ls.class, BotsCommand.Show.class, BotsCommand.Update.class,
                BotsCommand.Rm.class })
public final class BotsCommand {
    static final Table TABLE = Table.of("NAME", "name", "ROLES", "roles", "LOGINS", "traits.logins", "MAX SESSION",
            "maxSessionTtl");

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a bot and a join token for it (method "
            + "token, single use), and print the agent command that joins with it.")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--roles", split = ",", required = true, description = "Roles the bot may impersonate.")
        List<String> roles;
        @Option(names = "--logins", split = ",", description = "The bot's logins trait ({{internal.logins}} in roles).")
        List<String> logins;
        @Option(names = "--trait", description = "Another trait as name=value1,value2.")
        Map<String, String> traits = new LinkedHashMap<>();
        @Option(names = "--max-session-ttl", description = "The longest certificates the bot may get, e.g. 12h (default).")
        String maxSessionTtl;
        @Option(names = "--token-ttl", defaultValue = "1h", description = "How long the join token lasts (default 1h).")
        String tokenTtl;
        @Option(names = "--no-token", description = "Create the bot only; make join tokens with sigil tokens add.")
        boolean noToken;

        @Override
        public Integer call() throws Exception {
            AdminApi api = AdminApi.connect();
            Map<String, Object> bot = new LinkedHashMap<>();
            bot.put("name", name);
            bot.put("roles", roles);
            bot.put("traits", traits(logins, traits));
            bot.put("maxSessionTtl", maxSessionTtl);
            JsonNode written = api.post("/v1/admin/bots", bot);
            JsonNode token = noToken ? null : api.post("/v1/admin/tokens", Map.of("bot", name, "joinMethod", "token", "ttl", tokenTtl));
            if (Sigil.json()) {
                ObjectNode both = EventJson.MAPPER.createObjectNode();
                both.set("bot", written);
                if (token != null) {
                    both.set("token", token);
                }
                System.out.println(EventJson.write(both));
                return 0;
            }
            System.out.println("Bot " + name + " created with roles " + String.join(",", roles) + ".");
            written.path("warnings").forEach(w -> System.out.println("warning: " + w.asText()));
            if (token != null) {
                System.out.println();
                TokensCommand.print(api, token);
            }
            return 0;
        }
    }

    static Map<String, List<String>> traits(List<String> logins, Map<String, String> others) {
        Map<String, List<String>> traits = new LinkedHashMap<>();
        if (logins != null) {
            traits.put("logins", logins);
        }
        others.forEach((k, v) -> traits.put(k, List.of(v.split(","))));
        return traits;
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List bots.")
    public static final class Ls implements Callable<Integer> {
        @Option(names = "--role", description = "Only bots that may impersonate this role.") String role;

        @Override
        public Integer call() throws Exception {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("role", role);
            TABLE.print(AdminApi.connect().list("bots", filters));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a bot.")
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            Table.printOne(AdminApi.connect().get("/v1/admin/bots" + AdminApi.path(name)));
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a bot: read it, change what the "
            + "flags say, write it back only if nobody changed it meanwhile (ETag; read again and retried up to 3 times).")
    public static final class Update implements Callable<Integer> {
        private static final int ATTEMPTS = 3;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--roles", split = ",", description = "Replace the roles.") List<String> roles;
        @Option(names = "--add-roles", split = ",", description = "Add roles.") List<String> addRoles = new ArrayList<>();
        @Option(names = "--remove-roles", split = ",", description = "Remove roles.") List<String> removeRoles = new ArrayList<>();
        @Option(names = "--logins", split = ",", description = "Replace the logins trait.") List<String> logins;
        @Option(names = "--trait", description = "Replace a trait: name=value1,value2 (an empty value removes it).")
        Map<String, String> traits = new LinkedHashMap<>();
        @Option(names = "--max-session-ttl", description = "e.g. 2h.") String maxSessionTtl;

        @Override
        public Integer call() throws Exception {
            AdminApi api = AdminApi.connect();
            String path = "/v1/admin/bots" + AdminApi.path(name);
            for (int attempt = 1;; attempt++) {
                AdminApi.Answer current = api.getWithVersion(path);
                ObjectNode bot = change((ObjectNode) unwrap(current.body()).deepCopy());
                try {
                    JsonNode written = api.put(path, bot, current.etag());
                    if (Sigil.json()) {
                        System.out.println(EventJson.write(written));
                    } else {
                        System.out.println("Bot " + name + " updated.");
                        Table.printOne(unwrap(written));
                        written.path("warnings").forEach(w -> System.out.println("warning: " + w.asText()));
                    }
                    return 0;
                } catch (ApiRefusal e) {
                    if (!"VERSION_CONFLICT".equals(e.code()) || attempt == ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }

        private ObjectNode change(ObjectNode bot) {
            LinkedHashSet<String> newRoles = new LinkedHashSet<>();
            if (roles != null) {
                newRoles.addAll(roles);
            } else {
                bot.path("roles").forEach(r -> newRoles.add(r.asText()));
            }
            newRoles.addAll(addRoles);
            newRoles.removeAll(removeRoles);
            ArrayNode roleArray = bot.putArray("roles");
            newRoles.forEach(roleArray::add);
            ObjectNode traitNode = bot.path("traits").isObject() ? (ObjectNode) bot.get("traits") : bot.putObject("traits");
            if (logins != null) {
                ArrayNode l = traitNode.putArray("logins");
                logins.forEach(l::add);
            }
            traits.forEach((k, v) -> {
                if (v.isEmpty()) {
                    traitNode.remove(k);
                } else {
                    ArrayNode values = traitNode.putArray(k);
                    List.of(v.split(",")).forEach(values::add);
                }
            });
            if (maxSessionTtl != null) {
                bot.put("maxSessionTtl", maxSessionTtl);
            }
            return bot;
        }
    }

    /** A bot answer is the bot itself, or {bot, warnings} as the create answer is. */
    static JsonNode unwrap(JsonNode answer) {
        return answer.has("bot") && answer.get("bot").isObject() ? answer.get("bot") : answer;
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a bot: its join tokens go too, its "
            + "instances are locked and its renewals stop.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/bots" + AdminApi.path(name));
            if (Sigil.json()) {
                System.out.println(EventJson.write(answer));
            } else {
                System.out.println("Deleted bot " + name + ".");
                System.out.println("join tokens deleted: " + Table.text(answer.path("joinTokensDeleted")));
                System.out.println("instances locked:    " + Table.text(answer.path("instancesLocked")));
            }
            return 0;
        }
    }
}
