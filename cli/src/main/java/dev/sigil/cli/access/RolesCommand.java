package dev.sigil.cli.access;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

/** Roles: what a bot's certificates grant. */
@Command(name = "roles", mixinStandardHelpOptions = true, description = "Roles: add, ls, show, update, rm.",
        subcommands = { RolesCommand.Add.class, RolesCommand.Ls.class, RolesCommand.Show.class, RolesCommand.Update.class,
                RolesCommand.Rm.class })
public final class RolesCommand {
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create or replace a role, from flags or "
            + "from a JSON file in the API's shape (-f).")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..1") String name;
        @Option(names = { "-f", "--file" }, description = "The role as JSON (every field the API takes).") Path file;
        @Option(names = "--logins", split = ",", description = "SSH logins, e.g. {{internal.logins}}.") List<String> logins;
        @Option(names = "--apps", split = ",") List<String> apps;
        @Option(names = "--databases", split = ",") List<String> databases;
        @Option(names = "--database-users", split = ",") List<String> databaseUsers;
        @Option(names = "--kubernetes-groups", split = ",") List<String> kubernetesGroups;
        @Option(names = "--kubernetes-users", split = ",") List<String> kubernetesUsers;
        @Option(names = "--ssh-host-names", split = ",") List<String> sshHostNames;
        @Option(names = "--spiffe-paths", split = ",") List<String> spiffePaths;
        @Option(names = "--max-session-ttl", description = "e.g. 8h.") String maxSessionTtl;

        @Override
        public Integer call() throws Exception {
            Object role;
            if (file != null) {
                role = EventJson.MAPPER.readTree(Files.readString(file));
            } else {
                if (name == null) {
                    throw new IllegalArgumentException("give the role's NAME, or its JSON with -f");
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", name);
                r.put("logins", logins);
                r.put("apps", apps);
                r.put("databases", databases);
                r.put("databaseUsers", databaseUsers);
                r.put("kubernetesGroups", kubernetesGroups);
                r.put("kubernetesUsers", kubernetesUsers);
                r.put("sshHostNames", sshHostNames);
                r.put("spiffePaths", spiffePaths);
                r.put("maxSessionTtl", maxSessionTtl);
                r.values().removeIf(v -> v == null);
                role = r;
            }
            JsonNode written = AdminApi.connect().post("/v1/admin/roles", role);
            if (Sigil.json()) {
                System.out.println(EventJson.write(written));
            } else {
                System.out.println("Role " + written.path("name").asText() + " written.");
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List roles.")
    public static final class Ls implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Table.of("NAME", "name", "LOGINS", "logins", "APPS", "apps", "DATABASES", "databases", "KUBERNETES GROUPS",
                    "kubernetesGroups", "MAX SESSION", "maxSessionTtl").print(AdminApi.connect().list("roles", Map.of()));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a role.")
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            Table.printOne(AdminApi.connect().get("/v1/admin/roles" + AdminApi.path(name)));
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a role: read it, replace the "
            + "fields the flags name, write it back only if nobody changed it meanwhile (ETag; read again and retried up to 3 times).")
    public static final class Update implements Callable<Integer> {
        private static final int ATTEMPTS = 3;
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--logins", split = ",", description = "SSH logins (an empty value clears them).") List<String> logins;
        @Option(names = "--apps", split = ",") List<String> apps;
        @Option(names = "--databases", split = ",") List<String> databases;
        @Option(names = "--database-users", split = ",") List<String> databaseUsers;
        @Option(names = "--kubernetes-groups", split = ",") List<String> kubernetesGroups;
        @Option(names = "--kubernetes-users", split = ",") List<String> kubernetesUsers;
        @Option(names = "--ssh-host-names", split = ",") List<String> sshHostNames;
        @Option(names = "--spiffe-paths", split = ",") List<String> spiffePaths;
        @Option(names = "--max-session-ttl", description = "e.g. 8h.") String maxSessionTtl;

        @Override
        public Integer call() throws Exception {
            AdminApi api = AdminApi.connect();
            String path = "/v1/admin/roles" + AdminApi.path(name);
            for (int attempt = 1;; attempt++) {
                AdminApi.Answer current = api.getWithVersion(path);
                ObjectNode role = current.body().deepCopy();
                replace(role, "logins", logins);
                replace(role, "apps", apps);
                replace(role, "databases", databases);
                replace(role, "databaseUsers", databaseUsers);
                replace(role, "kubernetesGroups", kubernetesGroups);
                replace(role, "kubernetesUsers", kubernetesUsers);
                replace(role, "sshHostNames", sshHostNames);
                replace(role, "spiffePaths", spiffePaths);
                if (maxSessionTtl != null) {
                    role.put("maxSessionTtl", maxSessionTtl);
                }
                try {
                    JsonNode written = api.put(path, role, current.etag());
                    if (Sigil.json()) {
                        System.out.println(EventJson.write(written));
                    } else {
                        System.out.println("Role " + name + " updated.");
                        Table.printOne(written);
                    }
                    return 0;
                } catch (ApiRefusal e) {
                    if (!"VERSION_CONFLICT".equals(e.code()) || attempt == ATTEMPTS) {
                        throw e;
                    }
                }
            }
        }

        private static void replace(ObjectNode role, String field, List<String> values) {
            if (values != null) {
                ArrayNode array = role.putArray(field);
                values.stream().filter(v -> !v.isEmpty()).forEach(array::add);
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a role.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/roles" + AdminApi.path(name));
            System.out.println(Sigil.json() ? EventJson.write(answer) : "Deleted role " + name + ".");
            return 0;
        }
    }
}
