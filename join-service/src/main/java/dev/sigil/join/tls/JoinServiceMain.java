package dev.sigil.join.tls;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** join-service's entry point: get the HTTPS certificate from Sigil's CA, then start Quarkus. */
@QuarkusMain
public class JoinServiceMain {
    public static void main(String... args) throws Exception {
        ServerCertificate.configureHttps();
        Quarkus.run(args);
    }
}
