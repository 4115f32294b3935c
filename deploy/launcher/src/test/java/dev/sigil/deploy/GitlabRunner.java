package dev.sigil.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.nimbusds.jwt.JWTClaimsSet;

import dev.sigil.join.joinmethod.FakePlatform;

/**
 * What GitLab and a GitLab Runner (bash shell) do with one job of a project's {@code .gitlab-ci.yml}, done the same
 * way here: {@code include: local} files are merged under the project's file, {@code extends} is a reverse deep merge
 * (hashes merged, everything else taken from the job), each {@code id_tokens} entry becomes a variable holding a JWT
 * with the claims GitLab gives one, signed by the instance's key, with {@code aud} after variable expansion (GitLab
 * 16.1 and later); the job's variables and GitLab's predefined {@code CI_*} variables form the environment; and
 * {@code before_script} and {@code script} run as one {@code : | eval '...'} in a bash started with {@code set -eo
 * pipefail}, as the runner's generated script does, so what before_script exports the script sees.
 */
final class GitlabRunner {
    private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)}|(\\w+))");

    private final FakePlatform gitlab;
    private final Path project;
    private final String projectPath;
    private final String ref;
    /** The claims of every ID token handed to a job. */
    final List<JWTClaimsSet> idTokens = new ArrayList<>();

    GitlabRunner(FakePlatform gitlab, Path project, String projectPath, String ref) {
        this.gitlab = gitlab;
        this.project = project;
        this.projectPath = projectPath;
        this.ref = ref;
    }

    record JobRun(int exitCode, String log) {
    }

    /** Runs the job named {@code job} of the project's {@code .gitlab-ci.yml}, with {@code extra} in the environment. */
    @SuppressWarnings("unchecked")
    JobRun run(String job, Map<String, String> extra) throws Exception {
        Map<String, Object> config = load(project.resolve(".gitlab-ci.yml"));
        Object includes = config.remove("include");
        Map<String, Object> merged = new LinkedHashMap<>();
        for (Object include : includes instanceof List<?> list ? list : includes == null ? List.of() : List.of(includes)) {
            String local = include instanceof Map<?, ?> m ? (String) m.get("local") : (String) include;
            merged = deepMerge(merged, load(project.resolve(local.replaceFirst("^/", ""))));
        }
        merged = deepMerge(merged, config);
        Map<String, Object> definition = resolveExtends(merged, job);

        Map<String, String> env = new LinkedHashMap<>();
        for (String inherited : List.of("PATH", "HOME", "USER", "LANG")) {
            if (System.getenv(inherited) != null) {
                env.put(inherited, System.getenv(inherited));
            }
        }
        env.putAll(predefined());
        ((Map<String, Object>) definition.getOrDefault("variables", Map.of())).forEach((k, v) -> env.put(k, String.valueOf(v)));
        env.putAll(extra);
        Map<String, Map<String, Object>> idTokenSpecs = (Map<String, Map<String, Object>>) definition.getOrDefault("id_tokens", Map.of());
        for (var idToken : idTokenSpecs.entrySet()) {
            env.put(idToken.getKey(), idToken(expand(String.valueOf(idToken.getValue().get("aud")), env)));
        }

        List<String> commands = new ArrayList<>();
        commands.addAll((List<String>) definition.getOrDefault("before_script", List.of()));
        commands.addAll((List<String>) definition.get("script"));
        String body = String.join("\n", commands);
        String generated = "set -eo pipefail\nset +o noclobber\n: | eval '" + body.replace("'", "'\\''") + "'\nexit 0\n";

        Path buildDir = Files.createDirectories(project.resolve("build"));
        ProcessBuilder builder = new ProcessBuilder("bash").directory(buildDir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(generated.getBytes(StandardCharsets.UTF_8));
        }
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("job did not finish in 120 s: " + log);
        }
        return new JobRun(process.exitValue(), log);
    }

    /** The variables GitLab gives every job (those a script is likely to read). */
    private Map<String, String> predefined() {
        String namespace = projectPath.substring(0, projectPath.lastIndexOf('/'));
        Map<String, String> ci = new LinkedHashMap<>();
        ci.put("CI", "true");
        ci.put("GITLAB_CI", "true");
        ci.put("CI_SERVER_URL", gitlab.url());
        ci.put("CI_PROJECT_PATH", projectPath);
        ci.put("CI_PROJECT_NAMESPACE", namespace);
        ci.put("CI_PROJECT_DIR", project.resolve("build").toString());
        ci.put("CI_BUILDS_DIR", project.toString());
        ci.put("CI_COMMIT_REF_NAME", ref);
        ci.put("CI_COMMIT_SHA", "714a629c0b401fdce83e847fc9589983fc6f46bc");
        ci.put("CI_PIPELINE_ID", "574");
        ci.put("CI_PIPELINE_SOURCE", "push");
        ci.put("CI_JOB_ID", "302");
        ci.put("CI_JOB_NAME", "deploy");
        return ci;
    }

    /** An ID token as GitLab writes one (string-valued claims, as GitLab gives them), valid for the job's hour. */
    private String idToken(String audience) throws Exception {
        Instant now = Instant.now();
        String namespace = projectPath.substring(0, projectPath.lastIndexOf('/'));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("namespace_id", "72")
                .claim("namespace_path", namespace)
                .claim("project_id", "20")
                .claim("project_path", projectPath)
                .claim("user_id", "1")
                .claim("user_login", "sample-user")
                .claim("user_email", "sample-user@example.com")
                .claim("user_access_level", "developer")
                .claim("pipeline_id", "574")
                .claim("pipeline_source", "push")
                .claim("job_id", "302")
                .claim("ref", ref)
                .claim("ref_type", "branch")
                .claim("ref_path", "refs/heads/" + ref)
                .claim("ref_protected", "true")
                .claim("runner_id", 17)
                .claim("runner_environment", "self-hosted")
                .claim("sha", "714a629c0b401fdce83e847fc9589983fc6f46bc")
                .claim("project_visibility", "private")
                .claim("ci_config_ref_uri", gitlab.url().replaceFirst("^https?://", "") + "/" + projectPath + "//.gitlab-ci.yml@refs/heads/" + ref)
                .claim("ci_config_sha", "714a629c0b401fdce83e847fc9589983fc6f46bc")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plusSeconds(3600)))
                .issuer(gitlab.url())
                .subject("project_path:" + projectPath + ":ref_type:branch:ref:" + ref)
                .audience(audience)
                .build();
        idTokens.add(claims);
        return gitlab.sign(claims);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolveExtends(Map<String, Object> config, String job) {
        Map<String, Object> definition = new LinkedHashMap<>((Map<String, Object>) config.get(job));
        Object parents = definition.remove("extends");
        if (parents == null) {
            return definition;
        }
        Map<String, Object> base = new LinkedHashMap<>();
        for (Object parent : parents instanceof List<?> list ? list : List.of(parents)) {
            base = deepMerge(base, resolveExtends(config, (String) parent));
        }
        return deepMerge(base, definition);
    }

    /** GitLab's merge: hashes merge key by key, anything else (lists too) is replaced by the later value. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> later) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        later.forEach((key, value) -> merged.merge(key, value, (a, b) -> a instanceof Map<?, ?> am && b instanceof Map<?, ?> bm
                ? deepMerge((Map<String, Object>) am, (Map<String, Object>) bm) : b));
        return merged;
    }

    private static String expand(String value, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Map<String, Object> load(Path file) throws IOException {
        try (var reader = Files.newBufferedReader(file)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
    }
}
