package dev.sigil.cli.fleet;

import java.util.LinkedHashMap;
import java.util.List;
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

/** Deliveries: output-writer keeps one output of a bot fresh at a destination. */
@Command(name = "deliveries", mixinStandardHelpOptions = true, description = "Deliveries: add, ls, rm.",
        subcommands = { DeliveriesCommand.Add.class, DeliveriesCommand.Ls.class, DeliveriesCommand.Rm.class })
public final class DeliveriesCommand {
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Have output-writer keep a bot's output fresh "
            + "in a directory or a Kubernetes Secret.")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "ID") String id;
        @Option(names = "--bot", required = true) String bot;
        @Option(names = "--kind", defaultValue = "identity", description = "identity (default), application, database, "
                + "kubernetes, ssh_host, workload-identity-x509.") String kind;
        @Option(names = "--roles", split = ",", description = "A subset of the bot's roles.") List<String> roles;
        @Option(names = "--path", description = "A directory destination.") String path;
        @Option(names = "--readers", split = ",", description = "Users or groups that may read the files (POSIX ACLs).") List<String> readers;
        @Option(names = "--secret", description = "A kubernetes_secret destination: the Secret's name.") String secret;
        @Option(names = "--namespace", description = "The Secret's namespace.") String namespace;
        @Option(names = "--ttl", description = "How long each certificate lasts, e.g. 1h.") String ttl;

        @Override
        public Integer call() throws Exception {
            if ((path == null) == (secret == null)) {
                throw new IllegalArgumentException("give exactly one destination: --path DIR or --secret NAME");
            }
            Map<String, Object> output = new LinkedHashMap<>();
            output.put("kind", kind);
            output.put("roles", roles);
            Map<String, Object> destination = new LinkedHashMap<>();
            if (path != null) {
                destination.put("type", "directory");
                destination.put("path", path);
                destination.put("readers", readers);
            } else {
                destination.put("type", "kubernetes_secret");
                destination.put("name", secret);
                destination.put("namespace", namespace);
            }
            Map<String, Object> delivery = new LinkedHashMap<>();
            delivery.put("id", id);
            delivery.put("bot", bot);
            delivery.put("output", output);
            delivery.put("destination", destination);
            delivery.put("ttl", ttl);
            JsonNode written = AdminApi.connect().post("/v1/admin/deliveries", delivery);
            System.out.println(Sigil.json() ? EventJson.write(written) : "Delivery " + id + " of bot " + bot + " written.");
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List deliveries.")
    public static final class Ls implements Callable<Integer> {
        @Option(names = "--bot", description = "Only this bot's deliveries.") String bot;

        @Override
        public Integer call() throws Exception {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("bot", bot);
            Table.of("ID", "id", "BOT", "bot", "KIND", "output.kind", "DESTINATION", "destination.type", "PATH", "destination.path",
                    "TTL", "ttl").print(AdminApi.connect().list("deliveries", filters));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a delivery.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "ID") String id;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/deliveries" + AdminApi.path(id));
            System.out.println(Sigil.json() ? EventJson.write(answer) : "Removed delivery " + id + ".");
            return 0;
        }
    }
}
