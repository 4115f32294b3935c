package dev.sigil.join.joinmethod;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.sigil.contract.Refusal;
import dev.sigil.join.api.RefusalException;

/**
 * A join token's allow rules: the join succeeds when any rule matches, and a rule matches when every one of its
 * fields matches one of the values the platform vouched for. Fields named as glob fields take {@code *} and
 * {@code ?} wildcards; the others must be equal.
 */
public final class AllowRules {

    /** Refuses rules naming fields the method does not know, so a typo cannot silently allow everything. */
    public static void check(List<Map<String, String>> rules, Set<String> fields, String method) {
        if (rules.isEmpty()) {
            throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "a '" + method
                    + "' join token needs at least one allow rule, or any token of the platform could join");
        }
        for (Map<String, String> rule : rules) {
            if (rule.isEmpty()) {
                throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "an empty allow rule would let any "
                        + method + " token join; give each rule at least one of " + fields);
            }
            for (String field : rule.keySet()) {
                if (!fields.contains(field)) {
                    throw new RefusalException(400, Refusal.MALFORMED_REQUEST, "allow rules of join method '" + method
                            + "' have no field '" + field + "'; use " + fields);
                }
            }
        }
    }

    /** Whether any rule matches; {@code values} gives what the platform's token says for a field. */
    public static boolean anyMatches(List<Map<String, String>> rules, Function<String, List<String>> values,
            Set<String> globFields) {
        return rules.stream().anyMatch(rule -> rule.entrySet().stream().allMatch(field -> values.apply(field.getKey())
                .stream().anyMatch(v -> matches(field.getValue(), v, globFields.contains(field.getKey())))));
    }

    static boolean matches(String expected, String actual, boolean glob) {
        if (actual == null) {
            return false;
        }
        if (!glob) {
            return expected.equals(actual);
        }
        StringBuilder regex = new StringBuilder();
        for (String part : expected.split("((?<=[*?])|(?=[*?]))")) {
            regex.append(switch (part) {
                case "*" -> ".*";
                case "?" -> ".";
                default -> Pattern.quote(part);
            });
        }
        return Pattern.matches(regex.toString(), actual);
    }

    private AllowRules() {
    }
}
