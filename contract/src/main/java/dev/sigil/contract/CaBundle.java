package dev.sigil.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sigil's certificate authorities as published on {@code sigil.ca}: the public keys of the active generation
 * (SSH user and host CA lines, X.509 CA certificates in PEM), every key to trust right now (the active ones and,
 * during a rotation, the next generation's), and where the rotation stands.
 *
 * <p>Each X.509 CA serves one purpose ({@link #BOT}, {@link #DATABASE}, {@link #KUBERNETES}, {@link #SERVICE}), so a
 * certificate of one purpose is never accepted where another is expected: {@code x509Cas} maps a purpose to its
 * active CA, {@code trustedX509Cas} to every CA of that purpose to trust now. {@code tlsCa} and
 * {@code trustedTlsCas} are the bot CA's, for readers from before the split.
 */
public record CaBundle(String clusterName, String sshUserCa, String sshHostCa, String tlsCa, String phase,
        int activeGeneration, Integer nextGeneration, List<String> trustedSshUserCas, List<String> trustedSshHostCas,
        List<String> trustedTlsCas, Map<String, String> x509Cas, Map<String, List<String>> trustedX509Cas) {
    /** {@link EventJson}'s form with map entries in key order: the same bytes for equal bundles in any JVM. */
    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = EventJson.MAPPER.copy()
            .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** The key under which the bundle is kept on {@code sigil.ca}. */
    public static final String KEY = "cluster";

    public static final String STANDBY = "standby";
    public static final String INIT = "init";
    public static final String UPDATE_CLIENTS = "update_clients";
    public static final String UPDATE_SERVERS = "update_servers";
    public static final String ROLLBACK = "rollback";

    /** Bots' own X.509 client certificates: identity, application and workload-identity outputs. */
    public static final String BOT = "bot";
    /** Database client certificates; database servers trust this CA. */
    public static final String DATABASE = "database";
    /** Kubernetes client certificates; API servers trust this CA. */
    public static final String KUBERNETES = "kubernetes";
    /** Sigil's own services' TLS server certificates (join-service); agents pin this CA. */
    public static final String SERVICE = "service";
    public static final List<String> X509_PURPOSES = List.of(BOT, DATABASE, KUBERNETES, SERVICE);

    /** The phases a rotation may move to from each phase: Teleport's order, with a way back until it completes. */
    public static final Map<String, Set<String>> TRANSITIONS = Map.of(
            STANDBY, Set.of(INIT),
            INIT, Set.of(UPDATE_CLIENTS, ROLLBACK),
            UPDATE_CLIENTS, Set.of(UPDATE_SERVERS, ROLLBACK),
            UPDATE_SERVERS, Set.of(STANDBY, ROLLBACK),
            ROLLBACK, Set.of(STANDBY));

    /** A cluster's first CA generation, not rotating. */
    public CaBundle(String clusterName, String sshUserCa, String sshHostCa, String tlsCa) {
        this(clusterName, sshUserCa, sshHostCa, tlsCa, STANDBY, 1, null, List.of(sshUserCa), List.of(sshHostCa), List.of(tlsCa));
    }

    /** A bundle without purpose CAs, as written before the split: every purpose reads as the one X.509 CA. */
    public CaBundle(String clusterName, String sshUserCa, String sshHostCa, String tlsCa, String phase, int activeGeneration,
            Integer nextGeneration, List<String> trustedSshUserCas, List<String> trustedSshHostCas, List<String> trustedTlsCas) {
        this(clusterName, sshUserCa, sshHostCa, tlsCa, phase, activeGeneration, nextGeneration, trustedSshUserCas,
                trustedSshHostCas, trustedTlsCas, null, null);
    }

    public CaBundle {
        phase = phase == null ? STANDBY : phase;
        trustedSshUserCas = trustedSshUserCas == null ? List.of(sshUserCa) : List.copyOf(trustedSshUserCas);
        trustedSshHostCas = trustedSshHostCas == null ? List.of(sshHostCa) : List.copyOf(trustedSshHostCas);
        trustedTlsCas = trustedTlsCas == null ? List.of(tlsCa) : List.copyOf(trustedTlsCas);
        x509Cas = x509Cas == null ? Map.of() : Map.copyOf(x509Cas);
        trustedX509Cas = trustedX509Cas == null ? Map.of() : trustedX509Cas.entrySet().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
    }

    /** The active CA of one purpose; a bundle from before the split had one CA for all. */
    public String x509Ca(String purpose) {
        return x509Cas.getOrDefault(purpose, tlsCa);
    }

    /** Every CA of one purpose to trust right now; a bundle from before the split had one CA for all. */
    public List<String> trustedX509Cas(String purpose) {
        return trustedX509Cas.getOrDefault(purpose, trustedTlsCas);
    }

    /** Whether this bundle names a CA for every purpose (a bundle from before the split does not). */
    public boolean hasEveryPurpose() {
        return x509Cas.keySet().containsAll(X509_PURPOSES) && trustedX509Cas.keySet().containsAll(X509_PURPOSES);
    }

    /**
     * A short name for exactly this bundle: the first 16 bytes (hex) of the SHA-256 of its JSON with map keys
     * sorted, so every reader of {@code sigil.ca} computes the same one. Issue results name their bundle by it
     * ({@link IssueResult#caVersion()}); any change, a rotation phase's trusted lists included, changes it.
     */
    public String version() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(CANONICAL.writeValueAsBytes(this));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (java.security.NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot compute the version of a CA bundle", e);
        }
    }

    public boolean canMoveTo(String next) {
        return TRANSITIONS.getOrDefault(phase, Set.of()).contains(next);
    }
}
