package dev.sigil.join.admins;

import java.util.Optional;

import jakarta.enterprise.context.RequestScoped;

/**
 * The admin making the current request, set by {@link AdminAccess} once the request is authenticated: endpoints and
 * the audit read it here instead of taking it as a parameter.
 */
@RequestScoped
public class CurrentAdmin {
    private Admin admin;
    private String target;

    public Optional<Admin> get() {
        return Optional.ofNullable(admin);
    }

    void set(Admin admin, String target) {
        this.admin = admin;
        this.target = target;
    }

    private String attemptedBy;
    private String attemptedVia;

    /** The bot a certificate or console session names, once authenticated but before admission (which may refuse). */
    void attempted(String bot, String via) {
        this.attemptedBy = bot;
        this.attemptedVia = via;
    }

    /** The authenticated bot behind a request refused before admission, or null when not known. */
    String attemptedBy() {
        return attemptedBy;
    }

    String attemptedVia() {
        return attemptedVia;
    }

    /** What the request is about, as far as the path or body say ({@code bots/ci}), or null. */
    String target() {
        return target;
    }
}
