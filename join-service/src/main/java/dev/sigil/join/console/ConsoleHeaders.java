package dev.sigil.join.console;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * The web console's pages (static files under META-INF/resources/console) are served with a Content-Security-Policy
 * that allows only this origin's own scripts, styles and API calls: no inline script, no other site, no framing. With
 * every value put on the page as text, an injected name has neither a way to run nor anywhere to send what it read.
 */
@ApplicationScoped
public class ConsoleHeaders {
    public static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    void install(@Observes Router router) {
        // A regex: a plain "/console" route would match "/console/" too (Vert.x ignores a trailing slash) and loop.
        router.routeWithRegex("^/console$").order(-100).handler(rc -> rc.redirect("/console/"));
        router.route("/console/*").order(-100).handler(rc -> {
            rc.response().putHeader("Content-Security-Policy", POLICY)
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("X-Frame-Options", "DENY")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Cross-Origin-Opener-Policy", "same-origin")
                    // The page is small and changes with each release; the session is what must stay fresh.
                    .putHeader("Cache-Control", "no-cache");
            rc.next();
        });
    }
}
