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

    /** What the request is about, as far as the path or body say ({@code bots/ci}), or null. */
    String target() {
        return target;
    }
}
