package dev.sigil.output.destination;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

/** Where an output's files land: written all together, removed by name when the delivery ends. */
public interface Destination {
    void write(List<OutputFile> files) throws IOException;

    void remove(Collection<String> names) throws IOException;

    /** Where this is, for messages and logs. */
    String describe();
}
