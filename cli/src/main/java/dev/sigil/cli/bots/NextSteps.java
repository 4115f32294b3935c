package dev.sigil.cli.bots;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.identity.AdminIdentity;

/**
 * What to paste next once a join token exists, as {@code tctl bots add} prints it: the agent command for a token
 * (and the methods a machine runs by hand), the GitHub Actions step, the GitLab job, the Kubernetes pod. Filled in
 * with this Sigil's join URL and CA pins; the places only the operator knows (where the agent and the integrations
 * are hosted) come from SIGIL_AGENT_URL and SIGIL_GITHUB_ACTION / SIGIL_GITLAB_TEMPLATE when set.
 */
final class NextSteps {
    private NextSteps() {
    }

    /**
     * @param token    the create answer: {@code token} (the secret, method token only), {@code name}, {@code bot},
     *                 {@code joinMethod}, {@code expires}
     * @param audience the audience the platform's token must carry (OIDC methods), or null
     */
    static String forToken(AdminIdentity.Profile sigil, JsonNode token, String audience) {
        String method = token.path("joinMethod").asText("token");
        String name = token.path("name").asText();
        String url = sigil.joinUrl();
        String pins = String.join(",", sigil.caPins());
        StringBuilder out = new StringBuilder();
        switch (method) {
            case "token" -> {
                String secret = token.path("token").asText();
                out.append("The join token, shown only now (single use, valid until ").append(token.path("expires").asText())
                        .append("):\n  ").append(secret).append("\n\n");
                out.append("Join as bot ").append(token.path("bot").asText())
                        .append(" on the machine that runs it (sigil-agent.jar and its launcher sigil-agent from agent/target):\n\n");
                out.append("sigil-agent start --oneshot --join-url ").append(url).append(" --ca-pin ").append(pins)
                        .append(" --join-method token --token ").append(secret).append(" --destination ./identity\n\n");
                out.append("Leave out --oneshot and add --storage <dir> to keep it running and renewing with its own certificate.\n");
            }
            case "github" -> {
                out.append("Add the step to the job in .github/workflows/<workflow>.yml; the workflow (or job) needs the\n")
                        .append("id-token permission to ask GitHub for its OIDC token:\n\n");
                out.append("permissions:\n  id-token: write\n  contents: read\n\n");
                out.append("jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n");
                out.append("      - id: sigil\n");
                out.append("        uses: ").append(env("SIGIL_GITHUB_ACTION", "<owner>/<repo>/integrations/github-action@<ref>"))
                        .append("\n        with:\n");
                out.append("          join-url: ").append(url).append('\n');
                out.append("          token: ").append(name).append('\n');
                out.append("          ca-pin: ").append(pins).append('\n');
                out.append("          audience: ").append(audience).append('\n');
                out.append("          agent-url: ").append(env("SIGIL_AGENT_URL", "<a folder serving sigil-agent.jar and sigil-agent>"))
                        .append('\n');
                out.append("      - run: ssh -F \"$SIGIL_SSH_CONFIG\" <login>@<host> <command>\n");
            }
            case "gitlab" -> {
                out.append("Add the job to .gitlab-ci.yml; it extends the .sigil-auth template from integrations/gitlab:\n\n");
                out.append("include:\n  - remote: ").append(env("SIGIL_GITLAB_TEMPLATE", "<where you host integrations/gitlab/sigil.gitlab-ci.yml>"))
                        .append("\n\n");
                out.append("deploy:\n  image: eclipse-temurin:17-jre\n  extends: .sigil-auth\n  variables:\n");
                out.append("    SIGIL_JOIN_URL: ").append(url).append('\n');
                out.append("    SIGIL_TOKEN: ").append(name).append('\n');
                out.append("    SIGIL_CA_PINS: ").append(pins).append('\n');
                out.append("    SIGIL_AUDIENCE: ").append(audience).append('\n');
                out.append("    SIGIL_AGENT_URL: ").append(env("SIGIL_AGENT_URL", "<a folder serving sigil-agent.jar and sigil-agent>"))
                        .append('\n');
                out.append("  script:\n    - ssh -F \"$SIGIL_SSH_CONFIG\" <login>@<host> <command>\n");
            }
            case "kubernetes" -> {
                out.append("Run the agent beside the app in the pod; its service account's token is projected with the\n")
                        .append("join token's audience:\n\n");
                out.append("spec:\n  serviceAccountName: <service account>\n  containers:\n");
                out.append("    - name: sigil-agent\n      image: <the agent image (deploy/containers)>\n");
                out.append("      args: [start, --join-method, kubernetes, --token, ").append(name)
                        .append(", --destination, /identity]\n");
                out.append("      env:\n        - {name: SIGIL_JOIN_URL, value: \"").append(url).append("\"}\n");
                out.append("        - {name: SIGIL_CA_PINS, value: \"").append(pins).append("\"}\n");
                out.append("      volumeMounts:\n        - {name: sigil-token, mountPath: /var/run/secrets/tokens, readOnly: true}\n");
                out.append("        - {name: identity, mountPath: /identity}\n");
                out.append("  volumes:\n    - name: identity\n      emptyDir: {medium: Memory}\n");
                out.append("    - name: sigil-token\n      projected:\n        sources:\n          - serviceAccountToken:\n");
                out.append("              path: sigil-token\n              audience: ").append(audience).append('\n');
                out.append("              expirationSeconds: 600\n");
            }
            default -> {
                out.append("Join as bot ").append(token.path("bot").asText()).append(" where the ").append(method)
                        .append(" proof is at hand:\n\n");
                out.append("sigil-agent start --oneshot --join-url ").append(url).append(" --ca-pin ").append(pins)
                        .append(" --join-method ").append(method).append(" --token ").append(name);
                if (audience != null && !List.of("iam", "bound_keypair").contains(method)) {
                    out.append(" --audience ").append(audience);
                }
                if ("bound_keypair".equals(method)) {
                    out.append(" --storage <the directory holding the bound key (sigil-agent keypair create --storage)>");
                }
                out.append(" --destination ./identity\n");
            }
        }
        return out.toString();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
