package dev.sigil.join.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.sigil.contract.BotFleetHealth;
import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * Fleet health per bot for admins: how many of each bot's identities are fresh, due, overdue or expired, read from
 * {@code sigil.fleet} (renewal-service publishes it). Paged like the admin lists: {@code ?limit=&after=}; or one bot
 * with {@code ?bot=}.
 */
@Path("/v1/admin/fleet")
@Produces(MediaType.APPLICATION_JSON)
public class FleetResource {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    @Inject
    FleetView view;

    @GET
    public Map<String, Object> fleet(@QueryParam("limit") Integer limit, @QueryParam("after") String after,
            @QueryParam("bot") String bot) {
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        long[] totals = view.totals();
        answer.put("totals", Map.of("fresh", totals[0], "due", totals[1], "overdue", totals[2], "expired", totals[3]));
        List<BotFleetHealth> items;
        String next = null;
        if (bot != null) {
            BotFleetHealth one = view.of(bot);
            items = one == null ? List.of() : List.of(one);
        } else {
            items = view.page(after, n + 1);
            if (items.size() > n) {
                items = items.subList(0, n);
                next = items.get(n - 1).bot();
            }
        }
        answer.put("items", items);
        answer.put("next", next);
        return answer;
    }
}
