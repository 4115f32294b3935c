package dev.sigil.cli.ca;

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

/** Sigil's certificate authorities and their rotation. */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "Certificate authorities: show, rotate.",
        subcommands = { CaCommand.Show.class, CaCommand.Rotate.class })
public final class CaCommand {
    @Command(name = "show", mixinStandardHelpOptions = true, description = "The CAs' public keys, the active generation and the rotation phase.")
    public static final class Show implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            JsonNode ca = AdminApi.connect().get("/v1/admin/ca");
            if (Sigil.json()) {
                System.out.println(EventJson.write(ca));
                return 0;
            }
            System.out.println("cluster:           " + Table.text(ca.path("clusterName")));
            System.out.println("phase:             " + Table.text(ca.path("phase")));
            System.out.println("active generation: " + Table.text(ca.path("activeGeneration")));
            System.out.println("next generation:   " + Table.text(ca.path("nextGeneration")));
            System.out.println("SSH user CA:       " + Table.text(ca.path("sshUserCa")));
            System.out.println("SSH host CA:       " + Table.text(ca.path("sshHostCa")));
            ca.path("x509Cas").fields().forEachRemaining(e -> System.out.println("X.509 " + e.getKey() + " CA:\n"
                    + e.getValue().asText().strip()));
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Move the CA rotation to its next phase: "
            + "init, update_clients, update_servers, standby (Teleport's phases).")
    public static final class Rotate implements Callable<Integer> {
        @Option(names = "--phase", required = true, description = "init, update_clients, update_servers or standby.") String phase;
        @Option(names = "--spread", description = "Spread the bots' renewals over this long, e.g. 30m.") String spread;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("phase", phase);
            request.put("spread", spread);
            JsonNode answer = AdminApi.connect().post("/v1/admin/ca/rotation", request);
            System.out.println(Sigil.json() ? EventJson.write(answer) : "CA rotation asked to move to " + phase + ".");
            return 0;
        }
    }
}
