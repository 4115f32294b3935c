package dev.sigil.deploy;

import java.nio.file.Path;

/** The four Sigil services and where their packaged form lives in the source tree. */
public enum Service {
    ISSUER("issuer-service"),
    JOIN("join-service"),
    RENEWAL("renewal-service"),
    OUTPUT_WRITER("output-writer");

    final String module;

    Service(String module) {
        this.module = module;
    }

    Path runner(Path root) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
