package dev.sigil.join.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import dev.sigil.join.InJvmKafka;

/**
 * The admin API's views on a real broker. A write another replica got acknowledged is in this replica's view as soon
 * as {@code catchUp} returns, with no waiting: that is what version checks rely on. Pages are slices of the sorted
 * names; bot instances keep a history longer than the issuer's record.
 */
class AdminViewsTest {
    private static InJvmKafka kafka;
    private static SpecView<BotSpec> bots;
    private static BotInstanceView instances;

    @BeforeAll
    static void start() throws Exception {
        kafka = new InJvmKafka();
        bots = new SpecView<>(kafka.bootstrapServers(), Topics.BOTS, BotSpec.class);
        instances = new BotInstanceView(kafka.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        bots.close();
        instances.close();
        kafka.close();
    }

    @Test
    void aWriteAcknowledgedElsewhereIsReadByTheNextCatchUpWithoutWaiting() throws Exception {
        for (int i = 0; i < 20; i++) {
            String name = "elsewhere-" + i;
            kafka.send(Topics.BOTS, name, EventJson.write(new BotSpec(name, List.of("v" + i), null, null)));
            bots.catchUp();
            assertThat(bots.find(name)).as("written by another replica, then caught up").get()
                    .extracting(BotSpec::roles).isEqualTo(List.of("v" + i));

            kafka.send(Topics.BOTS, name, null);
            bots.catchUp();
            assertThat(bots.find(name)).as("deleted by another replica, then caught up").isEmpty();
        }
    }

    @Test
    void pagesFollowTheNamesInOrderAndFiltersApplyBeforeTheLimit() throws Exception {
        for (int i = 0; i < 25; i++) {
            String name = String.format("paged-%02d", i);
            kafka.send(Topics.BOTS, name, EventJson.write(new BotSpec(name, List.of(i % 2 == 0 ? "even" : "odd"), null, null)));
        }
        bots.catchUp();
        List<String> seen = new ArrayList<>();
        String after = "paged-";
        int pages = 0;
        do {
            SpecView.Page<BotSpec> page = bots.page(after, 10, b -> b.name().startsWith("paged-"));
            page.items().forEach(b -> seen.add(b.name()));
            after = page.next();
            pages++;
        } while (after != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates();

        SpecView.Page<BotSpec> even = bots.page("paged-", 100, b -> b.roles().contains("even"));
        assertThat(even.items()).hasSize(13).allSatisfy(b -> assertThat(b.roles()).containsExactly("even"));
        assertThat(even.next()).isNull();
    }

    @Test
    void anInstanceKeepsAHistoryOfJoinsAndRenewalsBeyondTheIssuersRecentOnes() throws Exception {
        Instant start = Instant.parse("2026-11-29T10:00:00Z");
        List<BotInstanceStatus.Authentication> recent = new ArrayList<>();
        for (int generation = 1; generation <= 15; generation++) {
            recent.add(new BotInstanceStatus.Authentication(start.plusSeconds(generation * 60L),
                    generation == 1 ? "join" : "renew", "token", generation, "request-" + generation));
            List<BotInstanceStatus.Authentication> kept = recent.subList(Math.max(0, recent.size() - BotInstanceStatus.RECENT), recent.size());
            kafka.send(Topics.BOT_INSTANCES, "i-history", EventJson.write(new BotInstanceStatus("historian",
                    new BotInstance("i-history", generation, "token", "t"), null, List.copyOf(kept))));
        }
        instances.catchUp();

        BotInstanceView.Instance instance = instances.find("historian", "i-history").orElseThrow();
        assertThat(instance.recentAuthentications()).hasSize(BotInstanceStatus.RECENT);
        assertThat(instance.history()).extracting(BotInstanceView.Authentication::generation)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(instance.history().get(0).kind()).isEqualTo("join");
        assertThat(instance.history().get(1).kind()).isEqualTo("renewal");
        assertThat(instance.generation()).isEqualTo(15);
        assertThat(instance.lastSeen()).isEqualTo(start.plusSeconds(15 * 60L));
        assertThat(instances.page(null, 10, "historian").items()).singleElement()
                .satisfies(listed -> assertThat(listed.history()).as("lists leave the history out").isNull());
        assertThat(instances.page(null, 10, "historia").items()).as("another bot's name is no prefix match").isEmpty();
    }
}
