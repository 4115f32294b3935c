package dev.sigil.contract;

/**
 * One bot instance: created by a join, kept across renewals. Its generation counts issuances; a renewal must present
 * the current one, so two holders of a copied identity give themselves away. Carried in every X.509 certificate
 * Sigil issues as the JSON text of a non-critical extension ({@link #CERTIFICATE_EXTENSION_OID}).
 */
public record BotInstance(String instanceId, long generation, String joinMethod, String joinToken) {
    /** An OID under the UUID arc (2.25), which needs no registration. */
    public static final String CERTIFICATE_EXTENSION_OID = "2.25.26966433998895657825552693689871975326";

    public BotInstance next() {
        return new BotInstance(instanceId, generation + 1, joinMethod, joinToken);
    }
}
