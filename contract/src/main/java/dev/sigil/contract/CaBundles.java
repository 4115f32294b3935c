package dev.sigil.contract;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A reader's view of the CA bundles published on {@code sigil.ca}: the last {@link #KEEP} by {@link CaBundle#version()
 * version}, for putting the bundle an {@link IssueResult} names back into it. A reader's view may lag the issuer's:
 * a version not seen yet is waited for, for a bounded time, never answered with another bundle.
 */
public final class CaBundles {
    /** Bundles kept: a whole rotation (init, update_clients, update_servers, standby or rollback) and then some. */
    public static final int KEEP = 8;

    private final LinkedHashMap<String, CaBundle> byVersion = new LinkedHashMap<>();
    private final Map<String, List<CompletableFuture<CaBundle>>> waiting = new HashMap<>();

    /** A bundle read from {@code sigil.ca}; whoever waits for its version gets it. */
    public void add(CaBundle bundle) {
        String version = bundle.version();
        List<CompletableFuture<CaBundle>> waiters;
        synchronized (this) {
            byVersion.remove(version); // re-published: it becomes the newest again
            byVersion.put(version, bundle);
            while (byVersion.size() > KEEP) {
                byVersion.remove(byVersion.keySet().iterator().next());
            }
            waiters = waiting.remove(version);
        }
        if (waiters != null) {
            waiters.forEach(w -> w.complete(bundle));
        }
    }

    public synchronized Optional<CaBundle> find(String version) {
        return Optional.ofNullable(byVersion.get(version));
    }

    /** The bundle of {@code version} once this view has it; fails with {@link TimeoutException} after {@code max}. */
    public CompletableFuture<CaBundle> when(String version, Duration max) {
        CompletableFuture<CaBundle> bundle = new CompletableFuture<>();
        synchronized (this) {
            CaBundle known = byVersion.get(version);
            if (known != null) {
                return CompletableFuture.completedFuture(known);
            }
            waiting.computeIfAbsent(version, v -> new ArrayList<>()).add(bundle);
        }
        return bundle.orTimeout(max.toMillis(), TimeUnit.MILLISECONDS).whenComplete((b, failure) -> {
            if (failure != null) {
                forget(version, bundle);
            }
        });
    }

    /** {@code result} with the bundle it names put back in; a result carrying its bundle (or none) as it is. */
    public CompletableFuture<IssueResult> resolve(IssueResult result, Duration max) {
        return result.namesCaByVersion() ? when(result.caVersion(), max).thenApply(result::withCa)
                : CompletableFuture.completedFuture(result);
    }

    /** {@link #resolve} for a caller that may block. */
    public IssueResult resolveBlocking(IssueResult result, Duration max) throws InterruptedException, TimeoutException {
        try {
            return resolve(result, max).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new TimeoutException("the CA bundle " + result.caVersion() + " named by issue result " + result.requestId()
                        + " was not on sigil.ca as this reader sees it within " + max);
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private synchronized void forget(String version, CompletableFuture<CaBundle> waiter) {
        List<CompletableFuture<CaBundle>> waiters = waiting.get(version);
        if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
            waiting.remove(version);
        }
    }
}
