package dev.sigil.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What a GitHub Actions runner does with a job that uses a composite action, done the same way on this machine: each
 * {@code run:} step is a script file run by {@code bash --noprofile --norc -eo pipefail}, with the job's environment,
 * the step's {@code env:} (expressions replaced), and fresh GITHUB_OUTPUT, GITHUB_ENV and GITHUB_PATH files that are
 * read back after the step (both of their formats, {@code name=value} and {@code name<<delimiter}). Only the
 * expressions the Sigil action uses are known ({@code inputs.*}, {@code steps.*.outputs.*}); any other fails the run,
 * so a new one cannot slip through untested.
 */
final class GithubActionsRunner {
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*([^}]*?)\\s*}}");

    private final Path work;
    /** The job's environment: what the runner provides plus everything steps put into GITHUB_ENV. */
    final Map<String, String> jobEnv = new LinkedHashMap<>();
    /** Directories steps put into GITHUB_PATH, the latest first, as the runner prepends them. */
    final List<String> addedPath = new ArrayList<>();
    private int stepCount;

    GithubActionsRunner(Path work, Map<String, String> runnerEnv) throws IOException {
        this.work = Files.createDirectories(work);
        for (String inherited : List.of("PATH", "HOME", "USER", "LANG")) {
            if (System.getenv(inherited) != null) {
                jobEnv.put(inherited, System.getenv(inherited));
            }
        }
        jobEnv.putAll(runnerEnv);
    }

    /** What one use of the action produced. */
    record ActionRun(int exitCode, String log, Map<String, String> outputs) {
    }

    /** One step's result: its exit code, what it printed and what it wrote to GITHUB_OUTPUT. */
    record StepRun(int exitCode, String log, Map<String, String> outputs) {
    }

    /** Runs the composite action in {@code actionYml} with the given {@code with:} inputs, stopping at a failed step. */
    @SuppressWarnings("unchecked")
    ActionRun runAction(Path actionYml, Map<String, String> with) throws IOException, InterruptedException {
        Map<String, Object> action;
        try (Reader reader = Files.newBufferedReader(actionYml)) {
            action = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        Map<String, Object> runs = (Map<String, Object>) action.get("runs");
        if (!"composite".equals(runs.get("using"))) {
            throw new IllegalArgumentException(actionYml + " is not a composite action");
        }
        Map<String, String> inputs = new HashMap<>();
        ((Map<String, Map<String, Object>>) action.get("inputs")).forEach((name, spec) ->
                inputs.put(name, with.getOrDefault(name, spec.get("default") == null ? "" : String.valueOf(spec.get("default")))));
        for (String given : with.keySet()) {
            if (!inputs.containsKey(given)) {
                throw new IllegalArgumentException("the action has no input " + given);
            }
        }
        Map<String, Map<String, String>> stepOutputs = new HashMap<>();
        StringBuilder log = new StringBuilder();
        for (Map<String, Object> step : (List<Map<String, Object>>) runs.get("steps")) {
            if (!"bash".equals(step.get("shell")) || !(step.get("run") instanceof String script)) {
                throw new IllegalArgumentException("only run: steps with shell: bash are expected, not " + step);
            }
            if (EXPRESSION.matcher(script).find()) {
                throw new IllegalArgumentException("a script holds an expression; inputs must reach scripts through env: " + script);
            }
            Map<String, String> env = new LinkedHashMap<>();
            Map<String, Object> stepEnv = (Map<String, Object>) step.getOrDefault("env", Map.of());
            stepEnv.forEach((name, value) -> env.put(name, substitute(String.valueOf(value), inputs, stepOutputs)));
            StepRun run = runStep(script, env);
            log.append(run.log());
            if (step.get("id") != null) {
                stepOutputs.put((String) step.get("id"), run.outputs());
            }
            if (run.exitCode() != 0) {
                return new ActionRun(run.exitCode(), log.toString(), Map.of());
            }
        }
        Map<String, String> outputs = new LinkedHashMap<>();
        ((Map<String, Map<String, Object>>) action.getOrDefault("outputs", Map.of())).forEach((name, spec) ->
                outputs.put(name, substitute(String.valueOf(spec.get("value")), inputs, stepOutputs)));
        return new ActionRun(0, log.toString(), outputs);
    }

    /** Runs one {@code run:} step of the job (the action's or the workflow's own) with the job's environment. */
    StepRun runStep(String script, Map<String, String> stepEnv) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("step-" + ++stepCount));
        Path file = Files.writeString(dir.resolve("script.sh"), script);
        Path output = Files.createFile(dir.resolve("output"));
        Path env = Files.createFile(dir.resolve("env"));
        Path path = Files.createFile(dir.resolve("path"));
        ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
                .directory(work.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(jobEnv);
        builder.environment().putAll(stepEnv);
        if (!addedPath.isEmpty()) {
            builder.environment().put("PATH", String.join(":", addedPath) + ":" + jobEnv.get("PATH"));
        }
        builder.environment().putAll(Map.of("GITHUB_OUTPUT", output.toString(), "GITHUB_ENV", env.toString(),
                "GITHUB_PATH", path.toString()));
        Process process = builder.start();
        process.getOutputStream().close();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("step did not finish in 120 s: " + log);
        }
        jobEnv.putAll(fileCommand(env));
        for (String line : Files.readAllLines(path)) {
            if (!line.isBlank()) {
                addedPath.add(0, line.trim());
            }
        }
        return new StepRun(process.exitValue(), log, fileCommand(output));
    }

    /** A GITHUB_OUTPUT or GITHUB_ENV file: {@code name=value} lines and {@code name<<delimiter} blocks. */
    static Map<String, String> fileCommand(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int heredoc = line.indexOf("<<");
            int equals = line.indexOf('=');
            if (heredoc > 0 && (equals < 0 || heredoc < equals)) {
                String delimiter = line.substring(heredoc + 2);
                List<String> value = new ArrayList<>();
                while (!lines.get(++i).equals(delimiter)) {
                    value.add(lines.get(i));
                }
                values.put(line.substring(0, heredoc), String.join("\n", value));
            } else if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("the runner cannot read this line of " + file + ": " + line);
            }
        }
        return values;
    }

    private static String substitute(String value, Map<String, String> inputs, Map<String, Map<String, String>> stepOutputs) {
        Matcher m = EXPRESSION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String[] path = m.group(1).split("\\.");
            String replacement;
            if (path.length == 2 && path[0].equals("inputs") && inputs.containsKey(path[1])) {
                replacement = inputs.get(path[1]);
            } else if (path.length == 4 && path[0].equals("steps") && path[2].equals("outputs")) {
                replacement = stepOutputs.getOrDefault(path[1], Map.of()).getOrDefault(path[3], "");
            } else {
                throw new IllegalArgumentException("this stand-in runner does not know the expression " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
