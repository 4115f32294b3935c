package dev.sigil.cli.bots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** `tokens add` turns each join method's flags into the allow rules and config join-service's join methods read. */
class TokenFlagsTest {
    private static Map<String, Object> request(String... args) throws Exception {
        TokensCommand.Add add = new TokensCommand.Add();
        new CommandLine(add).parseArgs(args);
        return add.request();
    }

    @Test
    void githubFlagsBecomeOneAllowRuleOfTheClaimsTheyName() throws Exception {
        Map<String, Object> r = request("--bot", "ci", "--join-method", "github", "--name", "gh", "--repository", "acme/app",
                "--repository-owner", "acme", "--workflow", "deploy", "--environment", "prod", "--ref", "refs/heads/main",
                "--ref-type", "branch", "--audience", "sigil.example.com", "--ttl", "8760h");
        assertThat(r).containsEntry("joinMethod", "github").containsEntry("name", "gh").containsEntry("ttl", "8760h");
        assertThat(r.get("allow")).isEqualTo(List.of(Map.of("repository", "acme/app", "repository_owner", "acme", "workflow",
                "deploy", "environment", "prod", "ref", "refs/heads/main", "ref_type", "branch")));
        assertThat(r.get("config")).isEqualTo(Map.of("audience", "sigil.example.com"));
    }

    @Test
    void eachMethodsFlagsMapToItsOwnFieldsAndSettings() throws Exception {
        assertThat(request("--bot", "b", "--join-method", "gitlab", "--name", "n", "--project-path", "g/p", "--namespace-path", "g",
                "--pipeline-source", "push", "--domain", "gitlab.example.com").get("allow"))
                .isEqualTo(List.of(Map.of("project_path", "g/p", "namespace_path", "g", "pipeline_source", "push")));
        Map<String, Object> circleci = request("--bot", "b", "--join-method", "circleci", "--name", "n", "--project-id", "p1",
                "--context-id", "c1", "--organization-id", "o1");
        assertThat(circleci.get("allow")).isEqualTo(List.of(Map.of("project_id", "p1", "context_id", "c1")));
        assertThat(circleci.get("config")).isEqualTo(Map.of("organization_id", "o1"));
        assertThat(request("--bot", "b", "--join-method", "gcp", "--name", "n", "--project-id", "p1", "--service-account",
                "sa@p1.iam.gserviceaccount.com").get("allow"))
                .isEqualTo(List.of(Map.of("project_ids", "p1", "service_accounts", "sa@p1.iam.gserviceaccount.com")));
        assertThat(request("--bot", "b", "--join-method", "kubernetes", "--name", "n", "--service-account", "shop:deployer",
                "--in-cluster").get("config")).isEqualTo(Map.of("validation", "in_cluster"));
        assertThat(request("--bot", "b", "--join-method", "azure", "--name", "n", "--subscription", "s", "--resource-group", "rg",
                "--tenant", "t").get("allow")).isEqualTo(List.of(Map.of("subscription", "s", "resource_groups", "rg")));
        assertThat(request("--bot", "b", "--join-method", "iam", "--name", "n", "--aws-account", "111122223333", "--aws-arn",
                "arn:aws:sts::111122223333:assumed-role/ci/*").get("allow"))
                .isEqualTo(List.of(Map.of("aws_account", "111122223333", "aws_arn", "arn:aws:sts::111122223333:assumed-role/ci/*")));
        assertThat(request("--bot", "b", "--join-method", "spacelift", "--name", "n", "--space-id", "root", "--hostname",
                "acme.app.spacelift.io").get("config")).isEqualTo(Map.of("hostname", "acme.app.spacelift.io"));
        assertThat(request("--bot", "b", "--join-method", "bound_keypair", "--name", "n", "--public-key", "ssh-ed25519 AAAA",
                "--recovery-limit", "2").get("config")).isEqualTo(Map.of("public_key", "ssh-ed25519 AAAA", "recovery_limit", "2"));
    }

    @Test
    void moreAllowRulesAreAlternatives() throws Exception {
        Map<String, Object> r = request("--bot", "b", "--join-method", "github", "--name", "n", "--repository", "acme/a",
                "--allow", "repository=acme/b,ref=refs/heads/main");
        assertThat(r.get("allow")).isEqualTo(List.of(Map.of("repository", "acme/a"), Map.of("repository", "acme/b", "ref", "refs/heads/main")));
    }

    @Test
    void aFlagOfAnotherMethodOrAMissingNameIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> request("--bot", "b", "--join-method", "gitlab", "--name", "n", "--repository", "acme/app"))
                .hasMessage("--repository is for join method github, not gitlab");
        assertThatThrownBy(() -> request("--bot", "b", "--join-method", "iam", "--name", "n", "--audience", "x"))
                .hasMessageStartingWith("--audience is for the OIDC join methods");
        assertThatThrownBy(() -> request("--bot", "b", "--join-method", "github", "--repository", "acme/app"))
                .hasMessageContaining("join method github needs --name");
        assertThatThrownBy(() -> request("--bot", "b", "--name", "x")).hasMessageContaining("leave out --name");
    }

    @Test
    void aTokenJoinTokenHasNoRulesAndNoName() throws Exception {
        Map<String, Object> r = request("--bot", "b");
        assertThat(r).containsEntry("joinMethod", "token").containsEntry("name", null);
        assertThat(r.get("allow")).isEqualTo(List.of());
    }
}
