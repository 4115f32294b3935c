package dev.sigil.join.admin;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sigil.contract.BotSpec;
import dev.sigil.contract.Names;
import dev.sigil.contract.Refusal;
import dev.sigil.contract.RoleSpec;
import dev.sigil.join.api.RefusalException;

/**
 * The names in what the admin API and the webhooks write, each checked against its grammar in {@link Names} before
 * it reaches a topic: every one of them ends up in a certificate, a file or a config line. A broken name is refused
 * with 400 {@code MALFORMED_REQUEST}, the field and the rule it broke.
 */
public final class SpecNames {
    /** A login template exactly as issuer-service expands it (LoginTemplates): one per login. */
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(internal|external)\\.([A-Za-z0-9_-]+)\\s*}}");

    /** The value, when it is a valid name of its kind; refused with the field and the broken rule otherwise. */
    public static String require(Names grammar, String value, String field) {
        grammar.problem(value).ifPresent(problem -> {
            throw refused(field, problem);
        });
        return value;
    }

    static void requireAll(Names grammar, List<String> values, String field) {
        grammar.firstProblem(values).ifPresent(problem -> {
            throw refused(field, problem);
        });
    }

    /** Role allowances, where {@code *} matches any run of characters. */
    static void requirePatterns(Names grammar, List<String> patterns, String field) {
        grammar.firstPatternProblem(patterns).ifPresent(problem -> {
            throw refused(field, problem);
        });
    }

    static void role(RoleSpec role) {
        require(Names.RESOURCE, role.name(), "name");
        for (String login : role.logins()) {
            loginProblem(login).ifPresent(problem -> {
                throw refused("logins", problem);
            });
        }
        requirePatterns(Names.RESOURCE, role.apps(), "apps");
        requirePatterns(Names.RESOURCE, role.databases(), "databases");
        requirePatterns(Names.DATABASE_USER, role.databaseUsers(), "databaseUsers");
        // Kubernetes groups and users are granted as written (no globs): they go into the certificate's O and CN.
        requireAll(Names.KUBERNETES_SUBJECT, role.kubernetesGroups(), "kubernetesGroups");
        requireAll(Names.KUBERNETES_SUBJECT, role.kubernetesUsers(), "kubernetesUsers");
        requirePatterns(Names.HOST_NAME, role.sshHostNames(), "sshHostNames");
        requirePatterns(Names.SPIFFE_PATH, role.spiffePaths(), "spiffePaths");
    }

    /**
     * A bot's name, roles and traits. Traits only ever expand into SSH logins (through role login templates), so
     * every trait value must be a login: {@code "root,admin"} or a login holding a newline would otherwise reach
     * the certificate's principals and the generated ssh_config.
     */
    static void bot(BotSpec bot) {
        require(Names.RESOURCE, bot.name(), "name");
        requireAll(Names.RESOURCE, bot.roles(), "roles");
        for (Map.Entry<String, List<String>> trait : bot.traits().entrySet()) {
            require(Names.RESOURCE, trait.getKey(), "traits");
            if (trait.getValue() == null) {
                throw refused("traits." + Names.printable(trait.getKey()), "a trait is a list of values, not null");
            }
            requireAll(Names.LOGIN, trait.getValue(), "traits." + trait.getKey());
        }
    }

    /**
     * What is wrong with a role login: a plain login must be a POSIX user name; a template must be exactly one
     * {@code {{internal.<trait>}}} or {@code {{external.<trait>}}}, whose prefix and suffix keep it a login.
     */
    static Optional<String> loginProblem(String login) {
        if (login == null || (!login.contains("{{") && !login.contains("}}"))) {
            return Names.LOGIN.problem(login);
        }
        Matcher template = TEMPLATE.matcher(login);
        if (!template.find()) {
            return Optional.of("login template '" + Names.printable(login) + "' is not valid: write {{internal.<trait>}} "
                    + "or {{external.<trait>}}, with a trait name of letters, digits, '_' and '-'");
        }
        String around = login.substring(0, template.start()) + "x" + login.substring(template.end());
        if (around.contains("{{") || around.contains("}}")) {
            return Optional.of("login template '" + Names.printable(login) + "' is not valid: a login holds at most one "
                    + "template; list each template as a login of its own");
        }
        return Names.LOGIN.problem(around).map(p -> "login template '" + Names.printable(login) + "' is not valid: with "
                + "the template standing for one character, " + p);
    }

    static RefusalException refused(String field, String problem) {
        return new RefusalException(400, Refusal.MALFORMED_REQUEST, Names.printable(field) + ": " + problem);
    }

    private SpecNames() {
    }
}
