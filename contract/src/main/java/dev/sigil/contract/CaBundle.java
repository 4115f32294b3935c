package dev.sigil.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sigil's certificate authorities as published on {@code sigil.ca}: the public keys of the active generation
 * (SSH user and host CA lines, the X.509 CA certificate in PEM), every key to trust right now (the active ones and,
 * during a rotation, the next generation's), and where the rotation stands.
 */
public record CaBundle(String clusterName, String sshUserCa, String sshHostCa, String tlsCa, String phase,
        int activeGeneration, Integer nextGeneration, List<String> trustedSshUserCas, List<String> trustedSshHostCas,
        List<String> trustedTlsCas) {
    /** The key under which the bundle is kept on {@code sigil.ca}. */
    public static final String KEY = "cluster";

    public static final String STANDBY = "standby";
    public static final String INIT = "init";
    public static final String UPDATE_CLIENTS = "update_clients";
    public static final String UPDATE_SERVERS = "update_servers";
    public static final String ROLLBACK = "rollback";

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

    public CaBundle {
        phase = phase == null ? STANDBY : phase;
        trustedSshUserCas = trustedSshUserCas == null ? List.of(sshUserCa) : List.copyOf(trustedSshUserCas);
        trustedSshHostCas = trustedSshHostCas == null ? List.of(sshHostCa) : List.copyOf(trustedSshHostCas);
        trustedTlsCas = trustedTlsCas == null ? List.of(tlsCa) : List.copyOf(trustedTlsCas);
    }

    public boolean canMoveTo(String next) {
        return TRANSITIONS.getOrDefault(phase, Set.of()).contains(next);
    }
}
