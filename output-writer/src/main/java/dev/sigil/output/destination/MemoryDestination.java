package dev.sigil.output.destination;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps an output in memory only, for an agent that hands credentials to another process itself and should leave
 * nothing on disk. Readers always see one complete rendering: a write replaces the whole set at once.
 */
public final class MemoryDestination implements Destination {
    private volatile Map<String, OutputFile> files = Map.of();

    @Override
    public void write(List<OutputFile> rendered) {
        Map<String, OutputFile> next = new ConcurrentHashMap<>(files);
        rendered.forEach(f -> next.put(f.name(), f));
        files = Map.copyOf(next);
    }

    @Override
    public void remove(Collection<String> names) {
        Map<String, OutputFile> next = new ConcurrentHashMap<>(files);
        names.forEach(next::remove);
        files = Map.copyOf(next);
    }

    public Optional<OutputFile> read(String name) {
        return Optional.ofNullable(files.get(name));
    }

    @Override
    public String describe() {
        return "memory";
    }
}
