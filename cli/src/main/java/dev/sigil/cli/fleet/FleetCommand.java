package dev.sigil.cli.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Fleet health per bot, as renewal-service publishes it on sigil.fleet. */
@Command(name = "fleet", mixinStandardHelpOptions = true, description = "Fleet health per bot: instances fresh, due "
        + "for renewal, overdue and expired.")
public final class FleetCommand implements Callable<Integer> {
    @Option(names = "--bot", description = "Only this bot.") String bot;

    @Override
    public Integer call() throws Exception {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("bot", bot);
        JsonNode fleet = AdminApi.connect().list("fleet", filters);
        Table.of("BOT", "bot", "FRESH", "fresh", "DUE", "due", "OVERDUE", "overdue", "EXPIRED", "expired", "SCANNED", "scannedAt")
                .print(fleet);
        JsonNode totals = fleet.path("totals");
        if (!Sigil.json() && totals.isObject()) {
            System.out.println("\nall bots: fresh " + Table.text(totals.path("fresh")) + ", due " + Table.text(totals.path("due"))
                    + ", overdue " + Table.text(totals.path("overdue")) + ", expired " + Table.text(totals.path("expired")));
        }
        return 0;
    }
}
