package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.EventJson;
import dev.sigil.join.joinmethod.FakePlatform;

/**
 * The agent gets its own proof for each join method from the platform's own interface, run as a CI job or a
 * workload runs it: its command line and the environment the platform gives it, nothing fetched for it. The platforms
 * are loopback stand-ins with their own keys (GitHub's ID-token endpoint, the GCE metadata server, Azure IMDS) or
 * their variables and files (GitLab, CircleCI, Spacelift, Kubernetes). Each join is checked where it lands: the
 * bot's certificate and logins written, and Sigil's record of the bot instance naming the method and join token.
 * When the platform gives nothing, the agent says what to set up, and nothing joins.
 */
@ExtendWith(SigilCluster.class)
class AgentProofsEndToEndTest {
    /** The e2e Sigil's cluster name: the audience join-service expects by default. */
    private static final String CLUSTER_AUDIENCE = "e2e.sigil.test";

    private static PlatformStandIns.GithubActions github;
    private static PlatformStandIns.GcpMetadata gcp;
    private static PlatformStandIns.AzureImds azure;
    private static FakePlatform gitlab;
    private static FakePlatform circleci;
    private static FakePlatform spacelift;
    private static FakePlatform kubernetes;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPlatforms() throws Exception {
        github = new PlatformStandIns.GithubActions();
        gcp = new PlatformStandIns.GcpMetadata();
        azure = new PlatformStandIns.AzureImds();
        gitlab = new FakePlatform();
        circleci = new FakePlatform();
        spacelift = new FakePlatform();
        kubernetes = new FakePlatform();
    }

    @AfterAll
    static void stopPlatforms() {
        for (AutoCloseable platform : new AutoCloseable[] { github, gcp, azure, gitlab, circleci, spacelift, kubernetes }) {
            try {
                platform.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void aGithubActionsJobAsksTheRunnersIdTokenEndpointForSigilsDefaultAudience(LocalCluster cluster) throws Exception {
        // A join token without an audience of its own: the agent's default (sigil.local) must be what Sigil expects.
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "github", Map.of("repository", "acme/app"), Map.of("issuer", github.keys.url(),
                "audience", "sigil.local"));

        Path out = dir.resolve("identity");
        LocalCluster.ProcessResult run = agent(cluster, githubEnv(github.requestToken), "--join-method", "github",
                "--token", token, "--destination", out.toString());

        assertJoined(cluster, run, out, bot, "github", token);
        assertThat(github.tokensIssued.get()).isPositive();
    }

    @Test
    void aGithubJobWithoutIdTokenPermissionIsToldToGrantItAndNothingJoins(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "github", Map.of("repository", "acme/app"), Map.of("issuer", github.keys.url(),
                "audience", "sigil.local"));
        int issued = github.tokensIssued.get();

        Path out = dir.resolve("identity");
        LocalCluster.ProcessResult noPermission = agent(cluster, Map.of(), "--join-method", "github", "--token", token,
                "--destination", out.toString());
        assertNotJoined(noPermission, out, "ACTIONS_ID_TOKEN_REQUEST_URL", "permissions: id-token: write");

        // The endpoint refuses a request without the job's bearer, as GitHub's does; so does the agent's refusal path.
        assertThat(get(github.requestUrl() + "&audience=sigil.local", Map.of()).statusCode()).isEqualTo(401);
        LocalCluster.ProcessResult wrongBearer = agent(cluster, githubEnv("not-this-job"), "--join-method", "github",
                "--token", token, "--destination", out.toString());
        assertNotJoined(wrongBearer, out, "GitHub's ID-token endpoint answered 401", "permissions: id-token: write");
        assertThat(github.tokensIssued.get()).isEqualTo(issued);
        assertThat(instances(cluster, bot)).isEmpty();
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWithTheAudienceToAskFor(LocalCluster cluster) throws Exception {
        // Sigil here is e2e.sigil.test, the join token names no audience, and the agent asks for its default.
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "github", Map.of("repository", "acme/app"), Map.of("issuer", github.keys.url()));

        Path out = dir.resolve("identity");
        LocalCluster.ProcessResult run = agent(cluster, githubEnv(github.requestToken), "--join-method", "github",
                "--token", token, "--destination", out.toString());

        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(2);
        assertThat(run.stderr()).contains("JWT_WRONG_AUDIENCE").contains("'" + CLUSTER_AUDIENCE + "'").contains("--audience");
        assertThat(out.resolve("tlscert")).doesNotExist();

        LocalCluster.ProcessResult fixed = agent(cluster, githubEnv(github.requestToken), "--join-method", "github",
                "--token", token, "--audience", CLUSTER_AUDIENCE, "--destination", out.toString());
        assertJoined(cluster, fixed, out, bot, "github", token);
    }

    @Test
    void aGitlabJobJoinsWithItsIdTokensVariable(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "gitlab", Map.of("project_path", "acme/app"), Map.of("issuer", gitlab.url()));

        Path out = dir.resolve("identity");
        LocalCluster.ProcessResult run = agent(cluster, Map.of("SIGIL_ID_TOKEN", gitlabToken()), "--join-method", "gitlab",
                "--token", token, "--destination", out.toString());

        assertJoined(cluster, run, out, bot, "gitlab", token);
    }

    @Test
    void aGitlabJobNamesItsOwnIdTokensVariableInATbotStyleConfig(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "gitlab", Map.of("project_path", "acme/app"), Map.of("issuer", gitlab.url()));
        Path out = dir.resolve("identity");
        Path config = Files.writeString(dir.resolve("tbot.yaml"), String.join("\n",
                "version: v2",
                "join_url: " + cluster.url(Service.JOIN),
                "oneshot: true",
                "onboarding:",
                "  ca_pins: [\"" + cluster.caPin() + "\"]",
                "  join_method: gitlab",
                "  token: " + token,
                "  gitlab:",
                "    token_env_var_name: SIGIL_GITLAB_ID_TOKEN",
                "storage:",
                "  type: directory",
                "  path: " + out,
                ""));

        LocalCluster.ProcessResult run = agentCommand(Map.of("SIGIL_GITLAB_ID_TOKEN", gitlabToken(), "SIGIL_ID_TOKEN", "not-a-jwt"),
                "start", "-c", config.toString());

        assertJoined(cluster, run, out, bot, "gitlab", token);
    }

    @Test
    void aGitlabJobWithoutTheVariableIsToldToDeclareIdTokens(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "gitlab", Map.of("project_path", "acme/app"), Map.of("issuer", gitlab.url()));
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult run = agent(cluster, Map.of(), "--join-method", "gitlab", "--token", token,
                "--gitlab-id-token-var", "MY_ID_TOKEN", "--destination", out.toString());

        assertNotJoined(run, out, "no MY_ID_TOKEN", "id_tokens: { MY_ID_TOKEN: { aud:");
        assertThat(instances(cluster, bot)).isEmpty();
    }

    @Test
    void aCircleciJobJoinsWithCircleOidcTokenV2AndIsToldToUseAContextWithoutIt(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String org = UUID.randomUUID().toString();
        String token = joinToken(cluster, bot, "circleci", Map.of("project_id", "proj-1"), Map.of("issuer", circleci.url(),
                "organization_id", org));
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult missing = agent(cluster, Map.of("CIRCLE_OIDC_TOKEN", "v1-is-not-it"), "--join-method",
                "circleci", "--token", token, "--destination", out.toString());
        assertNotJoined(missing, out, "no CIRCLE_OIDC_TOKEN_V2", "context");

        String jwt = circleci.sign(FakePlatform.claims(circleci.url() + "/org/" + org, org, Map.of(
                "oidc.circleci.com/project-id", "proj-1", "oidc.circleci.com/context-ids", List.of("ctx-1"))).build());
        LocalCluster.ProcessResult run = agent(cluster, Map.of("CIRCLE_OIDC_TOKEN_V2", jwt), "--join-method", "circleci",
                "--token", token, "--destination", out.toString());
        assertJoined(cluster, run, out, bot, "circleci", token);
    }

    @Test
    void aSpaceliftRunJoinsWithSpaceliftOidcTokenAndIsToldWhatIsMissingWithoutIt(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String host = "acme.app.spacelift.io";
        String token = joinToken(cluster, bot, "spacelift", Map.of("space_id", "root"), Map.of("issuer", spacelift.url(),
                "hostname", host));
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult missing = agent(cluster, Map.of(), "--join-method", "spacelift", "--token", token,
                "--destination", out.toString());
        assertNotJoined(missing, out, "no SPACELIFT_OIDC_TOKEN", "inside a Spacelift run");

        String jwt = spacelift.sign(FakePlatform.claims(spacelift.url(), host, Map.of("spaceId", "root", "callerType", "stack",
                "callerId", "infra", "scope", "write")).build());
        LocalCluster.ProcessResult run = agent(cluster, Map.of("SPACELIFT_OIDC_TOKEN", jwt), "--join-method", "spacelift",
                "--token", token, "--destination", out.toString());
        assertJoined(cluster, run, out, bot, "spacelift", token);
    }

    @Test
    void aPodJoinsWithItsProjectedServiceAccountTokenAndIsToldToMountOneWithoutIt(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "kubernetes", Map.of("service_account", "ci:deployer"), Map.of(
                "issuer", kubernetes.url(), "static_jwks", kubernetes.publicJwks()));
        Path out = dir.resolve("identity");
        Path projected = dir.resolve("var/run/secrets/tokens/sigil-token");

        LocalCluster.ProcessResult missing = agent(cluster, Map.of(), "--join-method", "kubernetes", "--token", token,
                "--kubernetes-token-path", projected.toString(), "--destination", out.toString());
        assertNotJoined(missing, out, "no token file " + projected, "serviceAccountToken");

        // What the kubelet writes: the audience is Sigil's cluster name, as join-service expects by default.
        Files.createDirectories(projected.getParent());
        Files.writeString(projected, kubernetes.sign(FakePlatform.claims(kubernetes.url(), CLUSTER_AUDIENCE, Map.of(
                "kubernetes.io", Map.of("namespace", "ci", "serviceaccount", Map.of("name", "deployer"))))
                .subject("system:serviceaccount:ci:deployer").build()));
        LocalCluster.ProcessResult run = agent(cluster, Map.of("KUBERNETES_TOKEN_PATH", projected.toString()), "--join-method",
                "kubernetes", "--token", token, "--destination", out.toString());
        assertJoined(cluster, run, out, bot, "kubernetes", token);
    }

    @Test
    void aComputeEngineVmJoinsWithTheMetadataServersFullIdentityTokenForTheAudience(LocalCluster cluster) throws Exception {
        // The rules check the project and region, which only a format=full token carries.
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "gcp", Map.of("project_ids", "acme-prod", "locations", "us-west1"), Map.of(
                "issuer", gcp.keys.url(), "jwks_uri", gcp.keys.url() + "/jwks", "audience", "sigil-gcp-e2e"));
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult run = agent(cluster, Map.of("GCE_METADATA_HOST", gcp.hostPort()), "--join-method", "gcp",
                "--token", token, "--audience", "sigil-gcp-e2e", "--destination", out.toString());

        assertJoined(cluster, run, out, bot, "gcp", token);
    }

    @Test
    void aVmTheMetadataServerHasNoTokenForIsToldWhatToAttachAndNothingJoins(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path out = dir.resolve("identity");
        try (PlatformStandIns.GcpMetadata bare = new PlatformStandIns.GcpMetadata()) {
            String token = joinToken(cluster, bot, "gcp", Map.of("project_ids", "acme-prod"), Map.of("issuer", bare.keys.url(),
                    "jwks_uri", bare.keys.url() + "/jwks", "audience", "sigil-gcp-e2e"));
            String identity = bare.url() + PlatformStandIns.GcpMetadata.PATH + "?audience=sigil-gcp-e2e&format=full";
            assertThat(get(identity, Map.of()).statusCode()).as("no Metadata-Flavor header").isEqualTo(403);
            assertThat(get(identity, Map.of("Metadata-Flavor", "Google")).statusCode()).isEqualTo(200);

            bare.serviceAccountAttached = false;
            int issued = bare.tokensIssued.get();
            LocalCluster.ProcessResult noAccount = agent(cluster, Map.of("GCE_METADATA_HOST", bare.hostPort()), "--join-method",
                    "gcp", "--token", token, "--audience", "sigil-gcp-e2e", "--destination", out.toString());
            assertNotJoined(noAccount, out, "404", "attach a service account");
            assertThat(bare.tokensIssued.get()).isEqualTo(issued);

            LocalCluster.ProcessResult nowhere = agent(cluster, Map.of("GCE_METADATA_HOST", "127.0.0.1:1"), "--join-method", "gcp",
                    "--token", token, "--destination", out.toString());
            assertNotJoined(nowhere, out, "cannot reach the GCP metadata server", "Compute Engine");
        }
        assertThat(instances(cluster, bot)).isEmpty();
    }

    @Test
    void anAzureVmJoinsWithItsManagedIdentitysTokenForSigilsDefaultResource(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = joinToken(cluster, bot, "azure", Map.of("subscription", azure.subscription, "resource_groups", "build-rg"),
                Map.of("tenant", azure.tenant, "issuer", azure.issuer(), "jwks_uri", azure.keys.url() + "/jwks"));
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult run = agent(cluster, Map.of("SIGIL_AZURE_IMDS_ENDPOINT", azure.url()), "--join-method", "azure",
                "--token", token, "--destination", out.toString());

        assertJoined(cluster, run, out, bot, "azure", token);
    }

    @Test
    void anAzureVmWithoutAManagedIdentityIsToldToGiveItOneAndNothingJoins(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        Path out = dir.resolve("identity");
        try (PlatformStandIns.AzureImds bare = new PlatformStandIns.AzureImds()) {
            String token = joinToken(cluster, bot, "azure", Map.of("subscription", bare.subscription), Map.of("tenant", bare.tenant,
                    "issuer", bare.issuer(), "jwks_uri", bare.keys.url() + "/jwks"));
            String imds = bare.url() + PlatformStandIns.AzureImds.PATH + "?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F";
            HttpResponse<String> noHeader = get(imds, Map.of());
            assertThat(noHeader.statusCode()).as("no Metadata header").isEqualTo(400);
            assertThat(noHeader.body()).contains("Required metadata header not specified");

            bare.identityAssigned = false;
            LocalCluster.ProcessResult run = agent(cluster, Map.of("SIGIL_AZURE_IMDS_ENDPOINT", bare.url()), "--join-method", "azure",
                    "--token", token, "--destination", out.toString());
            assertNotJoined(run, out, "Identity not found", "give the VM a managed identity");
            assertThat(bare.tokensIssued.get()).isZero();
        }
        assertThat(instances(cluster, bot)).isEmpty();
    }

    @Test
    void startHelpSaysWhatEachJoinMethodNeeds(LocalCluster cluster) throws Exception {
        LocalCluster.ProcessResult help = agentCommand(Map.of(), "start", "--help");

        assertThat(help.exitCode()).isZero();
        for (String needs : List.of("permissions: id-token: write", "id_tokens:", "CIRCLE_OIDC_TOKEN_V2", "SPACELIFT_OIDC_TOKEN",
                "serviceAccountToken", "Compute Engine VM", "managed identity", "--audience", "--gitlab-id-token-var",
                "--kubernetes-token-path", "bound_keypair", "iam")) {
            assertThat(help.stdout()).contains(needs);
        }
    }

    private static Map<String, String> githubEnv(String requestToken) {
        return Map.of("ACTIONS_ID_TOKEN_REQUEST_URL", github.requestUrl(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN", requestToken,
                "GITHUB_ACTIONS", "true");
    }

    private static String gitlabToken() throws Exception {
        return gitlab.sign(FakePlatform.claims(gitlab.url(), CLUSTER_AUDIENCE, Map.of("project_path", "acme/app",
                "namespace_path", "acme", "pipeline_source", "push", "ref", "main", "ref_type", "branch")).build());
    }

    private static String joinToken(LocalCluster cluster, String bot, String method, Map<String, String> allow,
            Map<String, String> config) throws Exception {
        String name = method + "-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", name, "bot", bot,
                "joinMethod", method, "allow", List.of(allow), "config", config)), null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return name;
    }

    /** {@code sigil-agent start --oneshot} against the shared Sigil, with the platform's environment. */
    private static LocalCluster.ProcessResult agent(LocalCluster cluster, Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(),
                "--ca-pin", cluster.caPin()));
        all.addAll(List.of(args));
        return agentCommand(env, all.toArray(String[]::new));
    }

    /**
     * The agent as its own process with only the given environment (plus PATH and HOME): what the job or machine
     * provides, and no variable of the machine running the tests.
     */
    private static LocalCluster.ProcessResult agentCommand(Map<String, String> env, String... args) throws Exception {
        Path app = LocalCluster.sourceRoot().resolve("output-writer/target/quarkus-app");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", app.resolve("app") + "/*:" + app.resolve("lib/main") + "/*", "dev.sigil.output.agent.Agent"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().retainAll(List.of("PATH", "HOME"));
        builder.environment().putAll(env);
        Process p = builder.start();
        var stdout = p.getInputStream().readAllBytes();
        var stderr = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new LocalCluster.ProcessResult(p.exitValue(), new String(stdout), new String(stderr));
    }

    private static void assertJoined(LocalCluster cluster, LocalCluster.ProcessResult run, Path out, String bot, String method,
            String token) throws Exception {
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
        assertThat(run.stdout()).contains("joined: wrote the identity of bot " + bot).contains("logins deploy");
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(out.resolve("tlscert"))));
        certificate.checkValidity();
        assertThat(certificate.getSubjectX500Principal().getName()).contains(bot);
        JsonNode seen = await().atMost(Duration.ofSeconds(15)).until(() -> instances(cluster, bot), list -> list.size() == 1);
        assertThat(seen.get(0).at("/instance/joinMethod").asText()).isEqualTo(method);
        assertThat(seen.get(0).at("/instance/joinToken").asText()).isEqualTo(token);
    }

    /** The agent said what is missing and what to do, and got no proof to join with. */
    private static void assertNotJoined(LocalCluster.ProcessResult run, Path out, String... says) {
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
        assertThat(run.stderr()).contains("sigil-agent: cannot get the").contains(says);
        assertThat(run.stdout()).doesNotContain("wrote the identity");
        assertThat(out.resolve("tlscert")).doesNotExist();
    }

    private static JsonNode instances(LocalCluster cluster, String bot) throws Exception {
        var response = cluster.httpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/admin/bot-instances?bot=" + bot)).build(), HttpResponse.BodyHandlers.ofString());
        return EventJson.MAPPER.readTree(response.body()).get("items");
    }

    private static HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
