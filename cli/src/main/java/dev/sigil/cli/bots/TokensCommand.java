package dev.sigil.cli.bots;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.cli.Sigil;
import dev.sigil.cli.Table;
import dev.sigil.cli.api.AdminApi;
import dev.sigil.cli.identity.AdminIdentity;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Join tokens: which bot joins, by which join method, matching which allow rules. */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Join tokens: add, ls, rm.",
        subcommands = { TokensCommand.Add.class, TokensCommand.Ls.class, TokensCommand.Rm.class })
public final class TokensCommand {
    static final Table TABLE = Table.of("NAME", "name", "BOT", "bot", "METHOD", "joinMethod", "EXPIRES", "expires",
            "ALLOW", "allow", "CONFIG", "config");

    /**
     * One allow-rule flag: the field it sets for each join method that has it (the same flag may name different
     * fields, e.g. --project-id is circleci's project_id and gcp's project_ids).
     */
    private record AllowFlag(String flag, String value, Map<String, String> fieldByMethod) {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Create a join token and print what to paste "
            + "next: the agent command, the GitHub Actions step, the GitLab job or the Kubernetes pod.")
    public static final class Add implements Callable<Integer> {
        @Option(names = "--bot", required = true, description = "The bot that joins with this token.")
        String bot;
        @Option(names = { "--join-method", "--type" }, defaultValue = "token", description = "token (default), github, "
                + "gitlab, circleci, spacelift, kubernetes, gcp, azure, iam, bound_keypair, generic_oidc.")
        String method;
        @Option(names = "--name", description = "The token's name (every method but token, whose name is its secret's digest).")
        String name;
        @Option(names = "--ttl", description = "How long the token lasts, e.g. 1h (default) or 8760h.")
        String ttl;
        // github
        @Option(names = "--repository", description = "github: owner/repo.") String repository;
        @Option(names = "--repository-owner", description = "github: the owner.") String repositoryOwner;
        @Option(names = "--workflow", description = "github: the workflow's name.") String workflow;
        @Option(names = "--actor", description = "github: who ran the workflow.") String actor;
        @Option(names = "--environment", description = "github, gitlab: the deployment environment.") String environment;
        @Option(names = "--ref", description = "github, gitlab: e.g. refs/heads/main (github) or main (gitlab).") String ref;
        @Option(names = "--ref-type", description = "github, gitlab: branch or tag.") String refType;
        @Option(names = "--enterprise-server-host", description = "github: a GitHub Enterprise Server host.") String enterpriseServerHost;
        // gitlab
        @Option(names = "--project-path", description = "gitlab: group/project (globs allowed).") String projectPath;
        @Option(names = "--namespace-path", description = "gitlab: the group (globs allowed).") String namespacePath;
        @Option(names = "--pipeline-source", description = "gitlab: push, web, schedule, ...") String pipelineSource;
        @Option(names = "--domain", description = "gitlab: a self-managed GitLab's host.") String domain;
        // circleci, gcp
        @Option(names = "--project-id", description = "circleci: the project's id; gcp: the project id.") String projectId;
        @Option(names = "--context-id", description = "circleci: a context's id.") String contextId;
        @Option(names = "--organization-id", description = "circleci: the organisation's id (required).") String organizationId;
        // spacelift
        @Option(names = "--space-id", description = "spacelift: the space.") String spaceId;
        @Option(names = "--hostname", description = "spacelift: your account's host, e.g. acme.app.spacelift.io (required).") String hostname;
        // kubernetes, gcp
        @Option(names = "--service-account", description = "kubernetes: namespace:name; gcp: the service account's email.") String serviceAccount;
        @Option(names = "--in-cluster", description = "kubernetes: validate tokens with the cluster's TokenReview API.") boolean inCluster;
        // azure
        @Option(names = "--subscription", description = "azure: the subscription id.") String subscription;
        @Option(names = "--resource-group", description = "azure: the resource group.") String resourceGroup;
        @Option(names = "--tenant", description = "azure: the tenant id (required).") String tenant;
        // iam
        @Option(names = "--aws-account", description = "iam: the AWS account id.") String awsAccount;
        @Option(names = "--aws-arn", description = "iam: the caller's ARN (globs allowed).") String awsArn;
        // bound_keypair
        @Option(names = "--public-key", description = "bound_keypair: the public key line, or a file holding it "
                + "(sigil-agent keypair create prints it).") String publicKey;
        @Option(names = "--recovery-limit", description = "bound_keypair: how often the bot may rejoin after an outage.") String recoveryLimit;
        // any OIDC method
        @Option(names = "--audience", description = "OIDC methods: the audience the platform's token must carry "
                + "(default: the Sigil cluster's name).") String audience;
        @Option(names = "--issuer", description = "OIDC methods: the issuer, instead of the platform's own.") String issuer;
        @Option(names = "--jwks-uri", description = "OIDC methods: where the issuer's keys are.") String jwksUri;
        @Option(names = "--static-jwks", description = "OIDC methods: the issuer's keys (JWKS JSON), or a file holding them.") String staticJwks;
        @Option(names = "--allow", description = "Another allow rule as field=value,field=value (any rule lets a token in).")
        List<String> extraRules = new ArrayList<>();
        @Option(names = "--config", description = "A method setting as key=value, for settings without a flag.")
        Map<String, String> extraConfig = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            Map<String, Object> request = request();
            AdminApi api = AdminApi.connect();
            JsonNode created = api.post("/v1/admin/tokens", request);
            print(api, created);
            return 0;
        }

        Map<String, Object> request() throws java.io.IOException {
            List<AllowFlag> flags = List.of(
                    new AllowFlag("--repository", repository, Map.of("github", "repository")),
                    new AllowFlag("--repository-owner", repositoryOwner, Map.of("github", "repository_owner")),
                    new AllowFlag("--workflow", workflow, Map.of("github", "workflow")),
                    new AllowFlag("--actor", actor, Map.of("github", "actor")),
                    new AllowFlag("--environment", environment, Map.of("github", "environment", "gitlab", "environment")),
                    new AllowFlag("--ref", ref, Map.of("github", "ref", "gitlab", "ref")),
                    new AllowFlag("--ref-type", refType, Map.of("github", "ref_type", "gitlab", "ref_type")),
                    new AllowFlag("--project-path", projectPath, Map.of("gitlab", "project_path")),
                    new AllowFlag("--namespace-path", namespacePath, Map.of("gitlab", "namespace_path")),
                    new AllowFlag("--pipeline-source", pipelineSource, Map.of("gitlab", "pipeline_source")),
                    new AllowFlag("--project-id", projectId, Map.of("circleci", "project_id", "gcp", "project_ids")),
                    new AllowFlag("--context-id", contextId, Map.of("circleci", "context_id")),
                    new AllowFlag("--space-id", spaceId, Map.of("spacelift", "space_id")),
                    new AllowFlag("--service-account", serviceAccount, Map.of("kubernetes", "service_account", "gcp", "service_accounts")),
                    new AllowFlag("--subscription", subscription, Map.of("azure", "subscription")),
                    new AllowFlag("--resource-group", resourceGroup, Map.of("azure", "resource_groups")),
                    new AllowFlag("--aws-account", awsAccount, Map.of("iam", "aws_account")),
                    new AllowFlag("--aws-arn", awsArn, Map.of("iam", "aws_arn")));
            Map<String, String> rule = new LinkedHashMap<>();
            for (AllowFlag flag : flags) {
                if (flag.value() == null) {
                    continue;
                }
                String field = flag.fieldByMethod().get(method);
                if (field == null) {
                    throw new IllegalArgumentException(flag.flag() + " is for join method "
                            + String.join(" or ", flag.fieldByMethod().keySet()) + ", not " + method);
                }
                rule.put(field, flag.value());
            }
            Map<String, String> config = new LinkedHashMap<>();
            setting(config, "--enterprise-server-host", enterpriseServerHost, "enterprise_server_host", "github");
            setting(config, "--domain", domain, "domain", "gitlab");
            setting(config, "--organization-id", organizationId, "organization_id", "circleci");
            setting(config, "--hostname", hostname, "hostname", "spacelift");
            setting(config, "--in-cluster", inCluster ? "in_cluster" : null, "validation", "kubernetes");
            setting(config, "--tenant", tenant, "tenant", "azure");
            setting(config, "--public-key", publicKey == null ? null : fileOrValue(publicKey), "public_key", "bound_keypair");
            setting(config, "--recovery-limit", recoveryLimit, "recovery_limit", "bound_keypair");
            List<String> oidc = List.of("github", "gitlab", "circleci", "spacelift", "kubernetes", "gcp", "azure", "generic_oidc");
            for (var s : List.of(new String[] { "--audience", audience, "audience" }, new String[] { "--issuer", issuer, "issuer" },
                    new String[] { "--jwks-uri", jwksUri, "jwks_uri" },
                    new String[] { "--static-jwks", staticJwks == null ? null : fileOrValue(staticJwks), "static_jwks" })) {
                if (s[1] != null) {
                    if (!oidc.contains(method)) {
                        throw new IllegalArgumentException(s[0] + " is for the OIDC join methods " + oidc + ", not " + method);
                    }
                    config.put(s[2], s[1]);
                }
            }
            config.putAll(extraConfig);
            List<Map<String, String>> allow = new ArrayList<>();
            if (!rule.isEmpty()) {
                allow.add(rule);
            }
            for (String extra : extraRules) {
                Map<String, String> more = new LinkedHashMap<>();
                for (String pair : extra.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--allow takes field=value pairs separated by commas, not '" + extra + "'");
                    }
                    more.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
                allow.add(more);
            }
            if ("token".equals(method)) {
                if (name != null) {
                    throw new IllegalArgumentException("a token join token's name is the digest of its secret: leave out --name");
                }
            } else if (name == null) {
                throw new IllegalArgumentException("join method " + method + " needs --name: the name the job or machine "
                        + "presents as its token (e.g. " + bot + "-" + method.replace('_', '-') + ")");
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("name", name);
            request.put("bot", bot);
            request.put("joinMethod", method);
            request.put("ttl", ttl);
            request.put("allow", allow);
            request.put("config", config);
            return request;
        }

        private void setting(Map<String, String> config, String flag, String value, String key, String forMethod) {
            if (value == null) {
                return;
            }
            if (!forMethod.equals(method)) {
                throw new IllegalArgumentException(flag + " is for join method " + forMethod + ", not " + method);
            }
            config.put(key, value);
        }

        private static String fileOrValue(String value) throws java.io.IOException {
            Path file = Path.of(value);
            return !value.contains("\n") && Files.isRegularFile(file) ? Files.readString(file).trim() : value;
        }
    }

    /** The created token as JSON, or what to paste next; the audience is the token's, else the cluster's name. */
    static void print(AdminApi api, JsonNode created) throws Exception {
        if (Sigil.json()) {
            System.out.println(EventJson.write(created));
            return;
        }
        String method = created.path("joinMethod").asText("token");
        String audience = null;
        if (!"token".equals(method) && !"iam".equals(method) && !"bound_keypair".equals(method)) {
            JsonNode token = api.get("/v1/admin/tokens" + AdminApi.path(created.path("name").asText()));
            audience = token.path("config").path("audience").asText(null);
            if (audience == null) {
                audience = api.get("/v1/admin/ca").path("clusterName").asText(null);
            }
        }
        System.out.println("Join token " + created.path("name").asText() + " for bot " + created.path("bot").asText()
                + " (" + method + "), valid until " + created.path("expires").asText() + ".\n");
        System.out.print(NextSteps.forToken(AdminIdentity.current().profile(), created, audience));
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List join tokens (never their secrets).")
    public static final class Ls implements Callable<Integer> {
        @Option(names = "--bot", description = "Only this bot's tokens.") String bot;
        @Option(names = "--join-method", description = "Only tokens of this join method.") String method;

        @Override
        public Integer call() throws Exception {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("bot", bot);
            filters.put("method", method);
            TABLE.print(AdminApi.connect().list("tokens", filters));
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a join token.")
    public static final class Rm implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The token's name (tokens ls shows it).") String name;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = AdminApi.connect().delete("/v1/admin/tokens" + AdminApi.path(name));
            if (Sigil.json()) {
                System.out.println(EventJson.write(answer));
            } else {
                System.out.println("Deleted join token " + name + ".");
            }
            return 0;
        }
    }
}
