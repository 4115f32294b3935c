package dev.sigil.issuer.policy;

import java.util.List;
import java.util.regex.Pattern;

/** {@code *} wildcards in role allowances (applications, databases, host names, SPIFFE paths). */
final class Globs {

    static boolean anyMatches(List<String> patterns, String value) {
        return value != null && patterns.stream().anyMatch(p -> matches(p, value));
    }

    static boolean matches(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("((?<=\\*)|(?=\\*))")) {
            regex.append(part.equals("*") ? ".*" : Pattern.quote(part));
        }
        return Pattern.matches(regex.toString(), value);
    }

    private Globs() {
    }
}
