package dev.sigil.contract;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Gives a Quarkus service's Kafka clients its bus identity ({@value BusIdentity#DIR_PROPERTY}): as {@code kafka.*}
 * defaults for every SmallRye channel and as {@code kafka-streams.*} for Kafka Streams, so no application.properties
 * repeats them; {@link #client(String)} gives the same to the raw clients a service makes itself. Without the
 * setting (module tests on an in-JVM broker) nothing is added. Registered in META-INF/services; ordinal 270 puts it
 * above application.properties and below environment variables.
 */
public final class BusIdentityConfig implements ConfigSourceFactory {
    private static final int ORDINAL = 270;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue dir = context.getValue(BusIdentity.DIR_PROPERTY);
        if (dir == null || dir.getValue() == null || dir.getValue().isBlank()) {
            return List.of();
        }
        Map<String, String> properties = new HashMap<>();
        BusIdentity.securitySettings(Path.of(dir.getValue())).forEach((k, v) -> {
            properties.put("kafka." + k, v);
            properties.put("kafka-streams." + k, v);
        });
        return List.of(new PropertiesConfigSource(properties, "sigil-bus-identity", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** Settings for a raw client of this service: the bootstrap servers and the service's bus identity, if it has one. */
    public static Map<String, Object> client(String bootstrapServers) {
        Optional<Path> dir = ConfigProvider.getConfig().getOptionalValue(BusIdentity.DIR_PROPERTY, String.class)
                .filter(d -> !d.isBlank()).map(Path::of);
        return BusIdentity.client(bootstrapServers, dir);
    }
}
