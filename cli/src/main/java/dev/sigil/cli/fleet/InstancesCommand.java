package dev.sigil.cli.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Bot instances: each joined copy of a bot, its generation and history. */
@Command(name = "instances", mixinStandardHelpOptions = true, description = "Bot instances: ls, show, rm.",
        subcommands = { InstancesCommand.Ls.class, InstancesCommand.Show.class, InstancesCommand.Rm.class })
public final class InstancesCommand {
    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List bot instances.")
    public static final class Ls implements Callable<Integer> {
        @Option(names = "--bot", description = "Only this bot's instances.") String bot;

        @Override
        public Integer call() throws Exception {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("bot", bot);
            Table.of("BOT", "bot", "INSTANCE", "instanceId", "GENERATION", "generation", "METHOD", "joinMethod",
                    "LAST SEEN", "lastSeen").print(AdminApi.connect().list("bot-instances", filters));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a bot instance and its history of joins and renewals.")
    public static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BOT") String bot;
        @Parameters(index = "1", paramLabel = "INSTANCE") String instance;

        @Override
        public Integer call() throws Exception {
            JsonNode found = AdminApi.connect().get("/v1/admin/bot-instances" + AdminApi.path(bot, instance));
            if (Sigil.json()) {
                System.out.println(EventJson.write(found));
                return 0;
            }
            com.fasterxml.jackson.databind.node.ObjectNode summary = found.deepCopy();
            summary.remove("history");
            Table.printOne(summary);
            System.out.println();
            Table.of("GENERATION", "generation", "AT", "at", "KIND", "kind", "METHOD", "joinMethod", "HOST", "host")
                    .print(found.path("history"));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Forget a bot instance: it must join again "
            + "(lock it with sigil locks add --instance to keep it out).")
    public static final class Rm implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "BOT") String bot;
        @Parameters(index = "1", paramLabel = "INSTANCE") String instance;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/bot-instances" + AdminApi.path(bot, instance));
            if (Sigil.json()) {
                System.out.println(EventJson.write(answer));
            } else {
                System.out.println("Removed instance " + instance + " of bot " + bot + ".");
                answer.path("warnings").forEach(w -> System.out.println("warning: " + w.asText()));
            }
            return 0;
        }
    }
}
