package dev.sigil.output.output;

import java.util.List;

import dev.sigil.output.destination.OutputFile;

/** The X.509 outputs: {@code application}, {@code database} in its three formats, {@code workload-identity-x509}. */
final class TlsOutputs {
    static final String TLS = "tls";
    static final String MONGO = "mongo";
    static final String COCKROACH = "cockroach";
    static final List<String> DATABASE_FORMATS = List.of(TLS, MONGO, COCKROACH);

    static List<OutputFile> application(Credentials c) {
        return List.of(new OutputFile("tls.crt", c.tlsCertificate(), false),
                new OutputFile("tls.key", c.key().pkcs8PrivateKey(), true),
                new OutputFile("tls.cas", cas(c), false));
    }

    /** {@code tls} as for applications; MongoDB wants certificate and key in one file; CockroachDB a certs directory. */
    static List<OutputFile> database(Credentials c, String format) {
        return switch (format == null ? TLS : format) {
            case TLS -> application(c);
            case MONGO -> List.of(new OutputFile("mongo.crt", Outputs.pemBundle(List.of(c.tlsCertificate(), c.key().pkcs8PrivateKey())), true),
                    new OutputFile("mongo.cas", cas(c), false));
            case COCKROACH -> List.of(new OutputFile("cockroach/node.crt", c.tlsCertificate(), false),
                    new OutputFile("cockroach/node.key", c.key().pkcs8PrivateKey(), true),
                    new OutputFile("cockroach/ca.crt", cas(c), false));
            default -> throw new IllegalArgumentException("unknown database format '" + format + "'; use one of " + DATABASE_FORMATS);
        };
    }

    /** A SPIFFE X.509-SVID: the certificate (URI SAN spiffe://…), its key and the trust bundle. */
    static List<OutputFile> workloadIdentity(Credentials c) {
        return List.of(new OutputFile("svid.pem", c.tlsCertificate(), false),
                new OutputFile("svid.key", c.key().pkcs8PrivateKey(), true),
                new OutputFile("bundle.pem", cas(c), false));
    }

    /** Every CA of this output's purpose trusted right now: during a rotation both generations. */
    private static String cas(Credentials c) {
        return Outputs.pemBundle(c.trustedTlsCas());
    }

    private TlsOutputs() {
    }
}
