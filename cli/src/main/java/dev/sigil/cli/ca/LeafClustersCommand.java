package dev.sigil.cli.ca;

import java.nio.file.Files;
import java.nio.file.Path;
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

/** Leaf (trusted) clusters: their hosts accept Sigil's user CA, and bots trust those hosts through the leaf's host CA. */
@Command(name = "leaf-clusters", mixinStandardHelpOptions = true, description = "Leaf clusters: add, ls, show, rm (ca-admin for add and rm).",
        subcommands = { LeafClustersCommand.Add.class, LeafClustersCommand.Ls.class, LeafClustersCommand.Show.class,
                LeafClustersCommand.Rm.class })
public final class LeafClustersCommand {
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Trust a leaf cluster's SSH host CA (create or replace).")
    public static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--host-ca", required = true, paramLabel = "KEY|FILE",
                description = "The leaf's SSH host CA public key (ssh-ed25519 AAAA...), or a file holding it.")
        String hostCa;

        @Override
        public Integer call() throws Exception {
            Path file = Path.of(hostCa);
            String key = Files.isRegularFile(file) ? Files.readString(file).trim() : hostCa;
            JsonNode written = AdminApi.connect().post("/v1/admin/leaf-clusters", Map.of("name", name, "hostCa", key));
            System.out.println(Sigil.json() ? EventJson.write(written) : "Leaf cluster " + name + " trusted.");
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List leaf clusters.")
    public static final class Ls implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Table.of("NAME", "name", "HOST CA", "hostCa").print(AdminApi.connect().list("leaf-clusters", Map.of()));
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a leaf cluster.")
    public static final class Show implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            Table.printOne(AdminApi.connect().get("/v1/admin/leaf-clusters" + AdminApi.path(name)));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Stop trusting a leaf cluster.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/leaf-clusters" + AdminApi.path(name));
            System.out.println(Sigil.json() ? EventJson.write(answer) : "Deleted leaf cluster " + name + ".");
            return 0;
        }
    }
}
