package dev.sigil.contract;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The grammar of every name that reaches a certificate, a file or a config line. The admin API, join-service and
 * the issuer all check names here, so one rule holds on every path; a name that breaks its grammar is refused with
 * the rule it broke. Role allowances may hold {@code *} globs: a pattern is valid when it is a valid name with each
 * {@code *} standing for one ordinary character.
 */
public enum Names {
    /** Bots, roles, join tokens, applications, database services, leaf clusters, outputs, deliveries, traits. */
    RESOURCE("name", "[A-Za-z0-9][A-Za-z0-9._-]*", 128,
            "1-128 letters, digits, '.', '_' and '-', starting with a letter or digit"),
    /** A POSIX user name, as a login in an SSH certificate and in ssh_config. */
    LOGIN("login", "[A-Za-z_][A-Za-z0-9._-]*", 32,
            "a POSIX user name: 1-32 letters, digits, '.', '_' and '-', starting with a letter or '_'"),
    /** The path of a SPIFFE ID (after {@code spiffe://<trust domain>}), as the SPIFFE ID spec allows. */
    SPIFFE_PATH("SPIFFE path", "(/[A-Za-z0-9._-]+)+", 2000,
            "a SPIFFE ID path: '/' and segments of letters, digits, '.', '_' and '-', no empty, '.' or '..' segment, "
                    + "no trailing '/'"),
    /** A database user, the CN of a database client certificate. */
    DATABASE_USER("database user", "[A-Za-z0-9_][A-Za-z0-9_.@-]*", 63,
            "1-63 letters, digits, '_', '.', '@' and '-', starting with a letter, digit or '_'"),
    DATABASE_NAME("database name", "[A-Za-z0-9_][A-Za-z0-9_.-]*", 63,
            "1-63 letters, digits, '_', '.' and '-', starting with a letter, digit or '_'"),
    /** A Kubernetes user or group in a client certificate's CN or O. */
    KUBERNETES_SUBJECT("Kubernetes user or group", "[A-Za-z0-9][A-Za-z0-9:._@-]*", 253,
            "1-253 letters, digits, ':', '.', '_', '@' and '-', starting with a letter or digit"),
    /** An RFC 1123 host name: SSH host certificates, runner nodes. */
    HOST_NAME("host name", "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*",
            253, "an RFC 1123 host name: dot-separated labels of 1-63 letters, digits and '-', not starting or ending with '-'"),
    /** An absolute directory a destination writes to. */
    DIRECTORY_PATH("path", "(/[A-Za-z0-9._@+=,~-]+)+/?", 1024,
            "an absolute path of segments made of letters, digits and ._@+=,~- with no '.' or '..' segment"),
    /** A Kubernetes object name, such as a Secret's: an RFC 1123 subdomain, lower case. */
    KUBERNETES_NAME("Kubernetes object name", "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*", 253,
            "an RFC 1123 subdomain: dot-separated labels of 1-63 lower-case letters, digits and '-', not starting or "
                    + "ending with '-', at most 253 characters"),
    /** A Kubernetes namespace: an RFC 1123 label, lower case. */
    KUBERNETES_NAMESPACE("Kubernetes namespace", "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", 63,
            "an RFC 1123 label: 1-63 lower-case letters, digits and '-', not starting or ending with '-'");

    /** The most outputs one issue request may ask for. */
    public static final int MAX_OUTPUTS = 16;

    private final String what;
    private final Pattern pattern;
    private final int maxLength;
    private final String rule;

    Names(String what, String regex, int maxLength, String rule) {
        this.what = what;
        this.pattern = Pattern.compile(regex);
        this.maxLength = maxLength;
        this.rule = rule;
    }

    /** What is wrong with {@code value} as this kind of name, as a sentence; empty when it is valid. */
    public Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("the " + what + " is empty; it must be " + rule);
        }
        if (value.length() > maxLength || !pattern.matcher(value).matches() || hasDotSegment(value)) {
            return Optional.of(what + " '" + printable(value) + "' is not valid: it must be " + rule);
        }
        return Optional.empty();
    }

    /** What is wrong with a role allowance for this kind of name, where {@code *} matches anything. */
    public Optional<String> patternProblem(String pattern) {
        if (pattern != null && pattern.equals("*")) {
            return Optional.empty();
        }
        return problem(pattern == null ? null : pattern.replace('*', 'x'))
                .map(p -> what + " pattern '" + printable(pattern) + "' is not valid: with '*' for any run of characters, "
                        + "it must be " + rule);
    }

    /** Throws {@link IllegalArgumentException} with the broken rule when the value is not a valid name. */
    public String require(String value) {
        problem(value).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return value;
    }

    /** The first problem among several names of this kind. */
    public Optional<String> firstProblem(List<String> values) {
        return values.stream().map(this::problem).flatMap(Optional::stream).findFirst();
    }

    /** The first problem among several allowance patterns of this kind. */
    public Optional<String> firstPatternProblem(List<String> patterns) {
        return patterns.stream().map(this::patternProblem).flatMap(Optional::stream).findFirst();
    }

    private boolean hasDotSegment(String value) {
        if (this != SPIFFE_PATH && this != DIRECTORY_PATH) {
            return false;
        }
        for (String segment : value.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** A value as it may be quoted back: control characters escaped, at most 80 characters. */
    public static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && Character.isISOControl(c)) || Character.getType(c) == Character.FORMAT) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 80 ? out + "…" : out.toString();
    }
}
