package dev.sigil.contract;

/**
 * A delivery on {@code sigil.deliveries}, keyed by its id: output-writer keeps the named output of a bot fresh at
 * a destination ({@code type} such as {@code directory}, and where). A tombstone removes the delivery.
 */
public record DeliverySpec(String id, String bot, String output, Destination destination) {
    /** Where an output is written. */
    public record Destination(String type, String path) {
    }
}
