package dev.sigil.cli.access;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Locks: while one holds, every issuance for its target is refused with its reason. */
@Command(name = "locks", mixinStandardHelpOptions = true, description = "Locks: add, ls, rm.",
        subcommands = { LocksCommand.Add.class, LocksCommand.Ls.class, LocksCommand.Rm.class })
public final class LocksCommand {
    static final class Target {
        @Option(names = "--bot", description = "Lock a bot.") String bot;
        @Option(names = "--token", description = "Lock a join token (by name).") String token;
        @Option(names = "--instance", description = "Lock a bot instance (by id).") String instance;
        @Option(names = "--target", description = "A target as the API names it: bot:<name>, join-token:<name> or instance:<id>.")
        String target;

        String value() {
            return bot != null ? "bot:" + bot : token != null ? "join-token:" + token : instance != null ? "instance:" + instance : target;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Lock a bot, join token or bot instance.")
    public static final class Add implements Callable<Integer> {
        @ArgGroup(exclusive = true, multiplicity = "1") Target target;
        @Option(names = "--reason", required = true, description = "Shown in every refusal the lock causes.") String reason;
        @Option(names = "--ttl", description = "Lift the lock by itself after this long, e.g. 24h (default: never).") String ttl;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> lock = new LinkedHashMap<>();
            lock.put("target", target.value());
            lock.put("reason", reason);
            lock.put("ttl", ttl);
            JsonNode written = AdminApi.connect().post("/v1/admin/locks", lock);
            System.out.println(Sigil.json() ? EventJson.write(written) : "Locked " + target.value() + ".");
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List locks.")
    public static final class Ls implements Callable<Integer> {
        @Option(names = "--target", description = "Only the lock on this target.") String target;

        @Override
        public Integer call() throws Exception {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("target", target);
            Table.of("TARGET", "target", "REASON", "reason", "EXPIRES", "expires").print(AdminApi.connect().list("locks", filters));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Lift a lock.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "TARGET", description = "bot:<name>, join-token:<name> or instance:<id>.") String target;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/locks" + AdminApi.path(target));
            System.out.println(Sigil.json() ? EventJson.write(answer) : "Unlocked " + target + ".");
            return 0;
        }
    }
}
