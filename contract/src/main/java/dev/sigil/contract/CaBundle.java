package dev.sigil.contract;

/**
 * The public half of Sigil's certificate authorities, published on {@code sigil.ca}: the SSH user and host CA keys
 * (OpenSSH public key lines) and the X.509 CA certificate (PEM).
 */
public record CaBundle(String clusterName, String sshUserCa, String sshHostCa, String tlsCa) {
    /** The key under which the bundle is kept on {@code sigil.ca}. */
    public static final String KEY = "cluster";
}
