package dev.sigil.cli.identity;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.cli.api.ApiRefusal;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Admins: bots listed in the admins table with admin roles (ca-admin only). */
@Command(name = "admins", mixinStandardHelpOptions = true, description = "Admins: add, ls, rm (ca-admin only for add and rm).",
        subcommands = { AdminsCommand.Add.class, AdminsCommand.Ls.class, AdminsCommand.Rm.class })
public final class AdminsCommand {
    /**
     * The role of admin bots, as {@code ./sigil admin bootstrap} writes it: an admin needs no SSH login, but Sigil never
     * issues an SSH certificate without a principal, so it grants one that names no real user.
     */
    static final String ADMIN_BOT_ROLE = "sigil-admin";

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Make an admin as ./sigil admin bootstrap "
            + "does, through the API: its bot (role " + ADMIN_BOT_ROLE + "), its admin role and a one-time join token; "
            + "prints the sigil login line the new admin runs.")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The admin's name, which is its bot's.") String name;
        @Option(names = "--role", required = true, paramLabel = "read-only|bot-admin|ca-admin",
                description = "read-only (reads), bot-admin (+ bots, tokens, locks, deliveries, instances), ca-admin (+ roles, leaf clusters, CA, admins).")
        String role;
        @Option(names = "--token-ttl", defaultValue = "1h", description = "How long the login token lasts (default 1h).")
        String tokenTtl;

        @Override
        public Integer call() throws Exception {
            AdminApi api = AdminApi.connect();
            // The admins entry first: only a ca-admin may write it, so anyone else is refused before anything is
            // written; nobody can join as the new admin before its token exists.
            JsonNode admin = api.post("/v1/admin/admins", Map.of("name", name, "roles", List.of(role)));
            // An existing bot of that name becomes the admin as it is (POST would replace its roles).
            if (absent(api, "/v1/admin/bots" + AdminApi.path(name))) {
                if (absent(api, "/v1/admin/roles" + AdminApi.path(ADMIN_BOT_ROLE))) {
                    api.post("/v1/admin/roles", Map.of("name", ADMIN_BOT_ROLE, "logins", List.of(ADMIN_BOT_ROLE)));
                }
                api.post("/v1/admin/bots", Map.of("name", name, "roles", List.of(ADMIN_BOT_ROLE), "traits", Map.of()));
            }
            JsonNode token = api.post("/v1/admin/tokens", Map.of("bot", name, "joinMethod", "token", "ttl", tokenTtl));
            if (Sigil.json()) {
                ObjectNode both = EventJson.MAPPER.createObjectNode();
                both.set("admin", admin);
                both.set("token", token);
                System.out.println(EventJson.write(both));
                return 0;
            }
            AdminIdentity.Profile p = AdminIdentity.current().profile();
            System.out.println("Admin " + name + " created with role " + Table.text(admin.path("roles")) + ".");
            // The secret goes on a line of its own: on the login command line it would stay in shell history and /proc.
            System.out.println("Their one-time join token (a secret; hand it over privately) is valid until "
                    + token.path("expires").asText() + ":\n");
            System.out.println("  " + token.path("token").asText() + "\n");
            System.out.println("They save it in a file only they can read, " + TOKEN_FILE + " (umask 077; cat > " + TOKEN_FILE
                    + "), and log in with:\n");
            System.out.println("sigil login --join-url " + p.joinUrl() + " --ca-pin " + String.join(",", p.caPins())
                    + " --token-file " + TOKEN_FILE);
            return 0;
        }
    }

    /** Where the printed login line reads the token from. */
    static final String TOKEN_FILE = "sigil-login-token";

    private static boolean absent(AdminApi api, String path) throws Exception {
        try {
            api.get(path);
            return false;
        } catch (ApiRefusal e) {
            if (!"NOT_FOUND".equals(e.code())) {
                throw e;
            }
            return true;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List admins and their admin roles.")
    public static final class Ls implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Table.of("NAME", "name", "ROLES", "roles").print(AdminApi.connect().list("admins", Map.of()));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove an admin (its bot stays: sigil bots rm "
            + "it too). The last ca-admin cannot be removed.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/admins" + AdminApi.path(name));
            System.out.println(Sigil.json() ? EventJson.write(answer) : "Removed admin " + name + ".");
            return 0;
        }
    }
}
