package dev.sigil.cli.audit;

import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;

/** A one-time link into the web console, for the logged-in admin. */
@Command(name = "console", mixinStandardHelpOptions = true, description = "Print a one-time link (60 s, single use) "
        + "that opens the web console as you, with your admin roles.")
public final class ConsoleCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        JsonNode session = AdminApi.connect().post("/v1/admin/console-sessions", Map.of());
        if (Sigil.json()) {
            System.out.println(EventJson.write(session));
            return 0;
        }
        String link = session.path("url").asText(session.path("link").asText(null));
        if (link == null) {
            throw new IllegalStateException("join-service answered without a console link: " + EventJson.write(session));
        }
        System.out.println("Open within 60 seconds (works once):");
        System.out.println(link);
        return 0;
    }
}
