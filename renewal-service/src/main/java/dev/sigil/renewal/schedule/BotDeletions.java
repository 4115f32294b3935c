package dev.sigil.renewal.schedule;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.Names;
import dev.sigil.contract.RenewalRequest;

/**
 * Reads {@code sigil.bots}: a bot's tombstone (the admin API deleted it) becomes a {@code bot-deleted} request on
 * the fan-out topic, so every task forgets that bot's identities and their timers, wherever their results were
 * partitioned. Bots written or rewritten need nothing here: timers follow issue results.
 */
final class BotDeletions implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, String> record) {
        String bot = record.key();
        if (record.value() != null || bot == null || Names.RESOURCE.problem(bot).isPresent()) {
            return;
        }
        // One request id per tombstone (its place in the log): a bot deleted, re-created and deleted again is forgotten twice.
        String id = context.recordMetadata().map(m -> "bot-deleted." + m.partition() + "." + m.offset())
                .orElse("bot-deleted." + bot + "." + record.timestamp());
        RenewalRequest request = new RenewalRequest(id, RenewalRequest.BOT_DELETED, bot, null, null);
        context.forward(new Record<>(bot, EventJson.write(request), context.currentSystemTimeMs()),
                RenewalTopology.BOT_DELETED_SINK);
    }
}
