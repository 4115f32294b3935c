package dev.sigil.renewal.schedule;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.zip.CRC32;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;

/**
 * When to renew: at a fraction of the certificate's lifetime, moved by a jitter so a fleet issued together does not
 * renew together (SPIRE's half-life with ±10% by default) — or, with {@code sigil.renewal.interval}, a fixed time
 * after issuance as tbot does (with the same jitter, and the fraction again for certificates shorter than it). The
 * jitter is derived from the serial, so reprocessing a result after a crash schedules the same moment.
 */
@ApplicationScoped
public class RenewalSchedule {
    private final double fraction;
    private final double jitter;
    private final Duration overdueAfter;
    private final Optional<Duration> interval;

    public RenewalSchedule(@ConfigProperty(name = "sigil.renewal.fraction", defaultValue = "0.5") double fraction,
            @ConfigProperty(name = "sigil.renewal.jitter", defaultValue = "0.1") double jitter,
            @ConfigProperty(name = "sigil.renewal.overdue-after", defaultValue = "5m") Duration overdueAfter,
            @ConfigProperty(name = "sigil.renewal.interval") Optional<Duration> interval) {
        if (fraction <= 0 || fraction >= 1 || jitter < 0 || fraction - jitter <= 0 || fraction + jitter >= 1) {
            throw new IllegalArgumentException("sigil.renewal.fraction ± jitter must stay inside (0, 1)");
        }
        this.fraction = fraction;
        this.jitter = jitter;
        this.overdueAfter = overdueAfter;
        this.interval = interval;
    }

    /**
     * The identity to track, its lifetime counted from when it was issued ({@code issuedAt}, the result's record
     * time): certificates are backdated a little for clock skew, which would otherwise bring short-lived ones due
     * at once.
     */
    public TrackedIdentity track(IssueResult result, Instant issuedAt) {
        IssuedIdentity id = result.identity();
        Instant start = issuedAt.isAfter(id.validAfter()) && issuedAt.isBefore(id.validBefore()) ? issuedAt : id.validAfter();
        Duration lifetime = Duration.between(start, id.validBefore());
        double shift = jitter * (2 * unitHash(id.instanceId() + "/" + id.serial()) - 1);
        Instant renewAt;
        if (interval.isPresent() && interval.get().toMillis() * (1 + jitter) < lifetime.toMillis()) {
            renewAt = start.plusMillis((long) (interval.get().toMillis() * (1 + shift)));
        } else {
            renewAt = start.plusMillis((long) (lifetime.toMillis() * (fraction + shift)));
        }
        return new TrackedIdentity(result.bot(), id.instanceId(), id.serial(), id.roles(), id.validAfter(), id.validBefore(),
                renewAt);
    }

    /** How long past its renewal point (at most half-way to expiry) an identity not renewed counts as overdue. */
    public Duration overdueAfter() {
        return overdueAfter;
    }

    /** A stable number in [0, 1) from a string. */
    static double unitHash(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue() / (double) (1L << 32);
    }
}
