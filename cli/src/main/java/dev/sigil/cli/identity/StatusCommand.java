package dev.sigil.cli.identity;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;

/** Which Sigil and which admin bot the CLI speaks as. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show who you are to Sigil: the admin "
        + "and admin roles join-service sees, and the identity in ~/.sigil (renewed first if due).")
public final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        AdminIdentity.Profile p = AdminIdentity.current().profile();
        // What join-service makes of the identity: which admin, with which admin roles.
        JsonNode whoami = AdminApi.connect().get("/v1/admin/whoami");
        if (Sigil.json()) {
            ObjectNode both = EventJson.MAPPER.createObjectNode();
            both.set("identity", EventJson.MAPPER.valueToTree(p));
            both.set("whoami", whoami);
            System.out.println(EventJson.write(both));
        } else {
            System.out.println("admin:       " + Table.text(whoami.path("admin")) + " (roles " + Table.text(whoami.path("roles")) + ")");
            System.out.println("join URL:    " + p.joinUrl());
            System.out.println("CA pins:     " + String.join(",", p.caPins()));
            System.out.println("admin bot:   " + p.bot());
            System.out.println("instance:    " + p.instanceId() + " (generation " + p.generation() + ")");
            System.out.println("valid:       " + p.validAfter() + " .. " + p.validBefore());
        }
        return 0;
    }
}
