package dev.sigil.renewal.failures;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Metrics;

/**
 * A stream thread that dies of something no record handler saw (a broker or state-store failure) is replaced, rather
 * than renewal-service going to ERROR and firing no timer until someone restarts it. Quarkus installs this bean as the
 * Kafka Streams uncaught exception handler.
 */
@ApplicationScoped
public class StreamThreadReplacer implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(StreamThreadReplacer.class);

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.errorf(exception, "a stream thread of renewal-service died; replacing it");
        Metrics.counter("sigil.stream.threads.replaced").increment();
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
