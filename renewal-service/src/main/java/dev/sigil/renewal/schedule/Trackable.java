package dev.sigil.renewal.schedule;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.contract.Names;

/**
 * What an issued result must hold before it gets a timer: a bot and roles by their grammar, an instance id and serial
 * that fit in a timer's key and value, and a lifetime inside the years a timer key can sort. A result that breaks
 * these is not the issuer's; it is dead-lettered rather than tracked, so nothing half-checked reaches the stores.
 */
final class Trackable {
    /** Issuer instance ids are UUIDs, delivery ones {@code delivery-<delivery id>}. Timer values split on spaces. */
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    /** Serials are decimal; a little room for other notations, nothing that breaks a line or a key. */
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9:._-]{1,128}");
    private static final int MAX_ROLES = 256;
    /** Timer keys hold 13-digit epoch milliseconds: every point of an identity's life must fall in these years. */
    static final Instant EARLIEST = Instant.EPOCH;
    static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    /** What is wrong with an issued result as something to track; empty when nothing is. */
    static Optional<String> problem(IssueResult result) {
        IssuedIdentity id = result.identity();
        Optional<String> bot = Names.RESOURCE.problem(result.bot()).map(p -> "bot: " + p);
        if (bot.isPresent()) {
            return bot;
        }
        if (id.instanceId() == null || !INSTANCE.matcher(id.instanceId()).matches()) {
            return Optional.of("instanceId '" + Names.printable(String.valueOf(id.instanceId())) + "' is not an instance id "
                    + "(1-200 letters, digits, '.', '_' and '-')");
        }
        if (id.serial() == null || !SERIAL.matcher(id.serial()).matches()) {
            return Optional.of("serial '" + Names.printable(String.valueOf(id.serial())) + "' is not a certificate serial");
        }
        if (id.roles() != null) {
            if (id.roles().size() > MAX_ROLES) {
                return Optional.of("it carries " + id.roles().size() + " roles; at most " + MAX_ROLES + " are tracked");
            }
            if (id.roles().stream().anyMatch(java.util.Objects::isNull)) {
                return Optional.of("roles: a role is null");
            }
            Optional<String> roles = Names.RESOURCE.firstProblem(id.roles()).map(p -> "roles: " + p);
            if (roles.isPresent()) {
                return roles;
            }
        }
        if (id.validAfter() == null || id.validBefore() == null) {
            return Optional.of("an issued identity needs validAfter and validBefore");
        }
        if (!id.validAfter().isBefore(id.validBefore())) {
            return Optional.of("validBefore " + id.validBefore() + " is not after validAfter " + id.validAfter());
        }
        if (id.validAfter().isBefore(EARLIEST) || id.validBefore().isAfter(LATEST)) {
            return Optional.of("validity " + id.validAfter() + " to " + id.validBefore() + " is outside " + EARLIEST + " to "
                    + LATEST);
        }
        return Optional.empty();
    }

    private Trackable() {
    }
}
