package dev.sigil.cli.audit;

import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The audit trail (sigil.audit) through join-service: no Kafka access needed. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit trail: tail.",
        subcommands = { AuditCommand.Tail.class })
public final class AuditCommand {
    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Print recent audit records, then follow new "
            + "ones as they happen (until Ctrl-C).")
    public static final class Tail implements Callable<Integer> {
        @Option(names = "--no-follow", description = "Print the recent records and stop.") boolean noFollow;

        @Override
        public Integer call() throws Exception {
            AdminApi api = AdminApi.connect();
            if (noFollow) {
                JsonNode recent = api.get("/v1/admin/audit");
                for (JsonNode record : recent.isArray() ? recent : recent.path("items")) {
                    print(record.toString());
                }
                return 0;
            }
            try (Stream<String> events = api.events("/v1/admin/audit?follow=true")) {
                Iterator<String> each = events.iterator();
                while (each.hasNext()) {
                    print(each.next());
                }
            }
            return 0;
        }

        private static void print(String json) throws Exception {
            if (json.isBlank()) {
                return;
            }
            if (Sigil.json()) {
                System.out.println(json);
                System.out.flush();
                return;
            }
            JsonNode r = EventJson.MAPPER.readTree(json);
            StringBuilder line = new StringBuilder(Table.text(r.path("time"))).append("  ").append(Table.text(r.path("event")));
            for (String field : new String[] { "admin", "action", "target", "bot", "instanceId", "joinMethod", "serial",
                    "reasonCode", "message" }) {
                if (r.hasNonNull(field)) {
                    line.append("  ").append(field).append('=').append(Table.text(r.get(field)));
                }
            }
            System.out.println(line);
            System.out.flush();
        }
    }
}
