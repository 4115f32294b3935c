package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * The GitHub Action (integrations/github-action/action.yml) and the GitLab CI template
 * (integrations/gitlab/sigil.gitlab-ci.yml), each run as its platform's runner runs it: the files are parsed, their
 * bash runs with the environment a job has (runner temp, file commands, the platform's ID-token endpoint or
 * id_tokens variable backed by a loopback stand-in with the platform's own key), the agent is downloaded from a
 * loopback release site serving agent/target, and the job then logs into a real sshd with what was written.
 */
@ExtendWith(SigilCluster.class)
class CiIntegrationsEndToEndTest {
    private static final String LOGIN = System.getProperty("user.name");
    private static final Path ROOT = LocalCluster.sourceRoot();
    private static final Path ACTION = ROOT.resolve("integrations/github-action/action.yml");
    private static final Path TEMPLATE = ROOT.resolve("integrations/gitlab/sigil.gitlab-ci.yml");
    /** Beside the identity, both jobs ask for host credentials, at a path relative to their destination. */
    private static final String HOST_OUTPUT = "- type: ssh_host\n  principals: [127.0.0.1]\n  destination: {path: host}\n";
    /** A GitLab instance of its own, with its own signing keys. */
    private static FakePlatform GITLAB;

    @TempDir
    Path dir;

    @BeforeAll
    static void startGitlab() throws Exception {
        GITLAB = new FakePlatform();
    }

    @AfterAll
    static void stopGitlab() {
        GITLAB.close();
    }

    @Test
    void aWorkflowUsingTheActionGetsAnIdentityItsNextStepLogsIntoSshdWith(LocalCluster cluster) throws Exception {
        String bot = botWithHostOutputs(cluster);
        String token = createToken(cluster, bot, "github", Map.of("repository", "acme/app", "ref", "refs/heads/main"),
                SigilCluster.GITHUB, "sigil-e2e-action");
        Path runnerTemp = Files.createDirectories(dir.resolve("runner-temp"));
        try (GithubIdTokenEndpoint idTokens = new GithubIdTokenEndpoint(SigilCluster.GITHUB, "acme/app", "refs/heads/main");
                AgentDownloads downloads = new AgentDownloads(ROOT)) {
            GithubActionsRunner runner = new GithubActionsRunner(dir.resolve("work"), githubRunnerEnv(runnerTemp, idTokens));

            GithubActionsRunner.ActionRun run = runner.runAction(ACTION, Map.of("join-url", cluster.url(Service.JOIN).toString(),
                    "token", token, "ca-pin", cluster.caPin(), "audience", "sigil-e2e-action", "outputs", HOST_OUTPUT,
                    "agent-url", downloads.url(), "agent-sha256", downloads.sha256sums()));

            assertThat(run.exitCode()).as(run.log()).isZero();
            Path destination = Path.of(run.outputs().get("destination"));
            assertThat(destination.getParent()).as("a new directory under RUNNER_TEMP").isEqualTo(runnerTemp);
            assertThat(run.outputs()).containsEntry("ssh-config", destination.resolve("ssh_config").toString())
                    .containsEntry("identity-file", destination.resolve("identity").toString())
                    .containsEntry("known-hosts", destination.resolve("known_hosts").toString());
            assertThat(permissions(destination)).isEqualTo("rwx------");
            assertThat(permissions(destination.resolve("identity"))).isEqualTo("rw-------");
            assertThat(permissions(destination.resolve("host/ssh_host"))).isEqualTo("rw-------");
            assertThat(runner.jobEnv).containsEntry("SIGIL_IDENTITY_DIR", destination.toString())
                    .containsEntry("SIGIL_SSH_CONFIG", destination.resolve("ssh_config").toString())
                    .containsEntry("SIGIL_JOIN_URL", cluster.url(Service.JOIN).toString());
            assertThat(idTokens.audiences).as("one ID token, for the join token's audience").containsExactly("sigil-e2e-action");
            assertThat(downloads.requests).containsExactly("/sigil/" + AgentDownloads.VERSION + "/sigil-agent.jar",
                    "/sigil/" + AgentDownloads.VERSION + "/sigil-agent");
            assertThat(run.log()).doesNotContain(Files.readString(destination.resolve("key")).trim().split("\n")[1]);

            // The workflow's next step: an sshd set up with the job's ssh_host output; the action's ssh_config alone gets in.
            Path host = destination.resolve("host");
            try (RealSshd sshd = new RealSshd(host, host.resolve("ssh_host-user-ca.pub"), host.resolve("ssh_host"),
                    host.resolve("ssh_host-cert.pub"))) {
                GithubActionsRunner.StepRun next = runner.runStep("""
                        command -v sigil-agent
                        ssh -F "$SIGIL_SSH_CONFIG" -o BatchMode=yes -o ConnectTimeout=10 -p %d %s@127.0.0.1 'echo logged-in-as-$(id -un)'
                        """.formatted(sshd.port, LOGIN), Map.of());
                assertThat(next.exitCode()).as(next.log()).isZero();
                assertThat(next.log()).contains("logged-in-as-" + LOGIN)
                        .as("the agent is on PATH for later steps").startsWith(runnerTemp.toString());
            }
        }
    }

    @Test
    void anAgentDownloadThatDoesNotMatchItsDigestIsNeverRun() throws Exception {
        try (GithubIdTokenEndpoint idTokens = new GithubIdTokenEndpoint(SigilCluster.GITHUB, "acme/app", "refs/heads/main");
                AgentDownloads downloads = new AgentDownloads(ROOT)) {
            GithubActionsRunner runner = new GithubActionsRunner(dir.resolve("work"),
                    githubRunnerEnv(Files.createDirectories(dir.resolve("runner-temp")), idTokens));
            Map<String, String> inputs = new HashMap<>(Map.of("join-url", "https://127.0.0.1:1", "token", "gh-token",
                    "agent-url", downloads.url()));

            GithubActionsRunner.ActionRun unverified = runner.runAction(ACTION, inputs);
            assertThat(unverified.exitCode()).isNotZero();
            assertThat(unverified.log()).contains("agent-url is plain http: give agent-sha256");
            assertThat(downloads.requests).isEmpty();

            String otherJar = AgentDownloads.sha256("not the agent".getBytes());
            inputs.put("agent-sha256", downloads.sha256sums().replaceFirst("^[0-9a-f]{64}", otherJar));
            GithubActionsRunner.ActionRun tampered = runner.runAction(ACTION, inputs);
            assertThat(tampered.exitCode()).isNotZero();
            assertThat(tampered.log()).contains("does not match agent-sha256; nothing was run");
            assertThat(downloads.requests).hasSize(2);
            assertThat(idTokens.audiences).as("no ID token was asked for").isEmpty();
            assertThat(runner.addedPath).isEmpty();
            assertThat(runner.jobEnv).doesNotContainKey("SIGIL_IDENTITY_DIR");
        }
    }

    @Test
    void aJobWithoutIdTokenPermissionIsToldToAskForIt() throws Exception {
        try (AgentDownloads downloads = new AgentDownloads(ROOT)) {
            Map<String, String> env = new HashMap<>(githubRunnerEnv(Files.createDirectories(dir.resolve("runner-temp")), null));
            GithubActionsRunner runner = new GithubActionsRunner(dir.resolve("work"), env);

            GithubActionsRunner.ActionRun run = runner.runAction(ACTION, Map.of("join-url", "https://127.0.0.1:1",
                    "token", "gh-token", "agent-url", downloads.url(), "agent-sha256", downloads.sha256sums()));

            assertThat(run.exitCode()).isNotZero();
            assertThat(run.log()).contains("::error title=Sigil auth::").contains("permissions: id-token: write");
        }
    }

    @Test
    void aGitlabJobExtendingTheTemplateGetsAnIdentityItsScriptLogsIntoSshdWith(LocalCluster cluster) throws Exception {
        String bot = botWithHostOutputs(cluster);
        String token = createToken(cluster, bot, "gitlab", Map.of("project_path", "acme-group/app", "ref", "main"), GITLAB,
                "sigil-e2e-gitlab");
        Path project = Files.createDirectories(dir.resolve("project"));
        Path destination = dir.resolve("gitlab-identity");
        Files.copy(TEMPLATE, Files.createDirectories(project.resolve("ci")).resolve("sigil.gitlab-ci.yml"));
        // The host trusts Sigil's user CA, as an operator sets it up; its own host key is pinned by the job.
        Path sshdDir = Files.createDirectories(dir.resolve("sshd"));
        Path userCa = Files.write(sshdDir.resolve("sigil-user-ca.pub"), trustedSshUserCas(cluster));
        try (AgentDownloads downloads = new AgentDownloads(ROOT); RealSshd sshd = new RealSshd(sshdDir, userCa)) {
            Path knownHosts = Files.writeString(sshdDir.resolve("known_hosts"), sshd.knownHostsLine());
            Files.writeString(project.resolve(".gitlab-ci.yml"), """
                    include:
                      - local: /ci/sigil.gitlab-ci.yml
                    deploy:
                      extends: .sigil-auth
                      variables:
                        SIGIL_JOIN_URL: %s
                        SIGIL_TOKEN: %s
                        SIGIL_CA_PINS: sha256:%s,%s
                        SIGIL_AUDIENCE: sigil-e2e-gitlab
                        SIGIL_DESTINATION: %s
                        SIGIL_OUTPUTS: |
                    %s
                        SIGIL_AGENT_URL: %s
                        SIGIL_AGENT_SHA256: |
                    %s
                      script:
                        - test -s "$SIGIL_IDENTITY_DIR/host/ssh_host-cert.pub"
                        - ssh -F "$SIGIL_SSH_CONFIG" -o UserKnownHostsFile=%s -o BatchMode=yes -p %d %s@127.0.0.1 'echo logged-in-as-$(id -un)'
                    """.formatted(cluster.url(Service.JOIN), token, "0".repeat(64), cluster.caPin(), destination, HOST_OUTPUT.indent(6).stripTrailing(),
                    downloads.url(), downloads.sha256sums().indent(6).stripTrailing(), knownHosts, sshd.port, LOGIN));
            GitlabRunner runner = new GitlabRunner(GITLAB, project, "acme-group/app", "main");

            GitlabRunner.JobRun job = runner.run("deploy", Map.of("JAVA_HOME", System.getProperty("java.home"),
                    "HOME", Files.createDirectories(dir.resolve("job-home")).toString()));

            assertThat(job.exitCode()).as(job.log()).isZero();
            assertThat(job.log()).contains("logged-in-as-" + LOGIN);
            assertThat(runner.idTokens).singleElement().satisfies(claims ->
                    assertThat(claims.getAudience()).as("id_tokens aud, variable expanded").containsExactly("sigil-e2e-gitlab"));
            assertThat(downloads.requests).hasSize(2);
            assertThat(permissions(destination)).isEqualTo("rwx------");
            assertThat(permissions(destination.resolve("key"))).isEqualTo("rw-------");
        }
    }

    /** A bot whose role lets it log in as this user and get host certificates for 127.0.0.1. */
    private static String botWithHostOutputs(LocalCluster cluster) throws Exception {
        String name = "ci-" + UUID.randomUUID().toString().substring(0, 8);
        AdminClient admin = Bots.admin(cluster);
        admin.post("/v1/admin/roles", Map.of("name", name, "logins", List.of(LOGIN), "sshHostNames", List.of("127.0.0.1")));
        admin.createBot(name, List.of(name), List.of());
        return name;
    }

    private static String createToken(LocalCluster cluster, String bot, String method, Map<String, String> allow,
            FakePlatform platform, String audience) throws Exception {
        String name = method + "-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", name, "bot", bot,
                "joinMethod", method, "allow", List.of(allow), "config", Map.of("issuer", platform.url(), "audience", audience))),
                null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return name;
    }

    /** What a GitHub-hosted Ubuntu runner puts in a job's environment (the ID-token pair only with id-token: write). */
    private static Map<String, String> githubRunnerEnv(Path runnerTemp, GithubIdTokenEndpoint idTokens) throws java.io.IOException {
        Map<String, String> env = new HashMap<>(Map.of("CI", "true", "GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/app",
                "GITHUB_REF", "refs/heads/main", "GITHUB_RUN_ID", "7001", "RUNNER_OS", "Linux", "RUNNER_ARCH", "X64",
                "RUNNER_TEMP", runnerTemp.toString(), "JAVA_HOME_17_X64", System.getProperty("java.home")));
        env.put("GITHUB_WORKSPACE", runnerTemp.resolveSibling("workspace").toString());
        // A fresh runner's home: the launcher keeps its class-data archive under ~/.cache, not in this machine's.
        env.put("HOME", Files.createDirectories(runnerTemp.resolveSibling("home")).toString());
        if (idTokens != null) {
            env.put("ACTIONS_ID_TOKEN_REQUEST_URL", idTokens.requestUrl());
            env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", idTokens.requestToken);
        }
        return env;
    }

    /** The SSH user CAs Sigil trusts now, as an operator reads them for sshd's TrustedUserCAKeys. */
    private static List<String> trustedSshUserCas(LocalCluster cluster) throws Exception {
        HttpResponse<String> response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/admin/ca")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode cas = EventJson.MAPPER.readTree(response.body()).get("trustedSshUserCas");
        return java.util.stream.StreamSupport.stream(cas.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
