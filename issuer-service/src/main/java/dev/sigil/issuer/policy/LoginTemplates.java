package dev.sigil.issuer.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sigil.contract.BotSpec;

/**
 * Expands role logins such as {@code {{internal.logins}}} or {@code {{external.team}}} with the bot's traits.
 * A template whose trait is missing or empty expands to nothing, as in Teleport.
 */
final class LoginTemplates {
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(internal|external)\\.([A-Za-z0-9_\\-]+)\\s*}}");

    static List<String> expand(List<String> logins, BotSpec bot) {
        LinkedHashSet<String> result = new LinkedHashSet<>();
        for (String login : logins) {
            Matcher m = TEMPLATE.matcher(login);
            if (!m.find()) {
                result.add(login);
                continue;
            }
            String prefix = login.substring(0, m.start());
            String suffix = login.substring(m.end());
            for (String value : bot.trait(m.group(2))) {
                if (!value.isBlank()) {
                    result.add(prefix + value + suffix);
                }
            }
        }
        return new ArrayList<>(result);
    }

    private LoginTemplates() {
    }
}
