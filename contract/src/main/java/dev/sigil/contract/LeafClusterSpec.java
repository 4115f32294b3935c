package dev.sigil.contract;

/**
 * A trusted (leaf) cluster on {@code sigil.leaf-clusters}: SSH access to its hosts is granted by Sigil's user CA,
 * and its hosts are trusted through its own host CA (an OpenSSH public key line).
 */
public record LeafClusterSpec(String name, String hostCa) {
}
