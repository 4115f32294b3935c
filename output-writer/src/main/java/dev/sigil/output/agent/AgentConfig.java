package dev.sigil.output.agent;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.sigil.contract.DeliverySpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.OutputRequest;
import dev.sigil.output.agent.proof.ProofSettings;
import dev.sigil.output.output.RenderOptions;

/**
 * The agent's configuration, read from a YAML file in tbot's v2 shape so a tbot user can bring their file:
 * {@code version}, {@code auth_server}/{@code proxy_server} (or {@code join_url}), {@code ca_pins},
 * {@code onboarding{join_method, token, ca_pins, audience, gitlab{token_env_var_name}, kubernetes{token_path},
 * id_token_path}}, {@code storage}, {@code outputs}/{@code services} with {@code type}, {@code destination{type,
 * path}}, {@code roles} and each kind's fields, {@code credential_ttl}, {@code renewal_interval}, {@code oneshot}.
 * Command-line flags override the file. Unknown keys are refused, so a typo does not go unnoticed.
 */
final class AgentConfig {
    static final Duration DEFAULT_RENEWAL_INTERVAL = Duration.ofMinutes(20);

    String joinUrl;
    List<String> caPins = new ArrayList<>();
    String joinMethod = "token";
    /** The join token: its secret for method token; for the others its name. tbot also accepts a file path here. */
    String token;
    /** A file a delegated method reads a platform token from for each join, fetched by something else; null: the platform. */
    Path idTokenPath;
    /** The audience (azure: resource) to request a platform token for; null: what join-service expects by default. */
    String audience;
    /** The GitLab job's {@code id_tokens} variable holding its token; null: SIGIL_ID_TOKEN. */
    String gitlabIdTokenVar;
    /** The projected service-account token file; null: the default mount path. */
    Path kubernetesTokenPath;
    /** The platform's environment (its token endpoints and variables); replaceable so a test can be a platform. */
    java.util.function.UnaryOperator<String> env = System::getenv;
    DeliverySpec.Destination storage = new DeliverySpec.Destination(DeliverySpec.Destination.MEMORY, null);
    Duration credentialTtl;
    Duration renewalInterval = DEFAULT_RENEWAL_INTERVAL;
    boolean oneshot;
    /** Where renewal-due events can be read directly (an agent inside the cluster's network); null: on its interval only. */
    String kafkaBootstrap;
    /** The bus identity to read them with (the brokers accept no client without one); null: SIGIL_SERVICE_IDENTITY_DIR. */
    java.nio.file.Path kafkaIdentity;
    List<AgentOutput> outputs = new ArrayList<>();

    /** What the join method's proof source needs; {@code storageDir}: the storage directory, if storage is one. */
    ProofSettings proofSettings() {
        Path storageDir = DeliverySpec.Destination.DIRECTORY.equals(storage.type()) && storage.path() != null
                ? Path.of(storage.path()) : null;
        return new ProofSettings(joinMethod, audience, gitlabIdTokenVar, kubernetesTokenPath, idTokenPath, storageDir, env);
    }

    /** One output the agent keeps fresh: what to ask for, how to lay it out, where to write it. */
    record AgentOutput(OutputRequest request, RenderOptions render, DeliverySpec.Destination destination) {
    }

    static AgentConfig load(Path file) throws IOException {
        Object root;
        try (Reader reader = Files.newBufferedReader(file)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + " must be a YAML mapping");
        }
        AgentConfig config = new AgentConfig();
        Section top = new Section("", map);
        String version = top.string("version");
        if (version != null && !version.equals("v2")) {
            throw new IllegalArgumentException("version: " + version + " is not supported; write the file in tbot's v2 shape (version: v2)");
        }
        config.joinUrl = first(top.string("join_url"), top.string("auth_server"), top.string("proxy_server"));
        if (config.joinUrl != null && !config.joinUrl.contains("://")) {
            config.joinUrl = "https://" + config.joinUrl;
        }
        config.caPins = top.strings("ca_pins");
        Section onboarding = top.section("onboarding");
        if (onboarding != null) {
            config.joinMethod = first(onboarding.string("join_method"), config.joinMethod);
            config.token = onboarding.string("token");
            String idToken = onboarding.string("id_token_path");
            config.idTokenPath = idToken == null ? null : Path.of(idToken);
            config.audience = onboarding.string("audience");
            config.caPins.addAll(onboarding.strings("ca_pins")); // where tbot keeps them
            Section gitlab = onboarding.section("gitlab");
            if (gitlab != null) {
                config.gitlabIdTokenVar = gitlab.string("token_env_var_name");
                gitlab.done();
            }
            Section kubernetes = onboarding.section("kubernetes");
            if (kubernetes != null) {
                String tokenPath = kubernetes.string("token_path");
                config.kubernetesTokenPath = tokenPath == null ? null : Path.of(tokenPath);
                kubernetes.done();
            }
            onboarding.done();
        }
        Section storage = top.section("storage");
        if (storage != null) {
            config.storage = destination(storage);
        }
        String ttl = top.string("credential_ttl");
        config.credentialTtl = ttl == null ? null : EventJson.parseDuration(ttl);
        String interval = top.string("renewal_interval");
        config.renewalInterval = interval == null ? DEFAULT_RENEWAL_INTERVAL : EventJson.parseDuration(interval);
        config.oneshot = Boolean.TRUE.equals(top.value("oneshot"));
        config.kafkaBootstrap = top.string("kafka_bootstrap");
        String kafkaIdentity = top.string("kafka_identity");
        config.kafkaIdentity = kafkaIdentity == null ? null : java.nio.file.Path.of(kafkaIdentity);
        for (String list : List.of("outputs", "services")) {
            for (Section output : top.sections(list)) {
                config.outputs.add(output(output, config.outputs.size()));
            }
        }
        top.ignore("debug", "diag_addr");
        top.done();
        return config;
    }

    private static AgentOutput output(Section s, int index) {
        String kind = s.required("type");
        if (!OutputRequest.KINDS.contains(kind)) {
            throw new IllegalArgumentException(s.where + "type: " + kind + " is not an output Sigil writes; use one of " + OutputRequest.KINDS);
        }
        Section destination = s.section("destination");
        if (destination == null) {
            throw new IllegalArgumentException(s.where + "needs a destination");
        }
        Section selector = s.section("selector");
        String spiffePath = first(s.string("spiffe_path"), selector == null ? null : selector.string("name"));
        if (selector != null) {
            selector.done();
        }
        OutputRequest request = new OutputRequest(kind + "-" + index, kind, s.strings("roles"), null, s.string("app_name"),
                s.string("service"), s.string("username"), s.string("database"), s.string("kubernetes_cluster"),
                s.strings("principals"), spiffePath, s.string("cluster"));
        request.problem().ifPresent(p -> {
            throw new IllegalArgumentException(s.where + p);
        });
        RenderOptions render = new RenderOptions(s.string("format"), s.string("kubernetes_server"));
        AgentOutput output = new AgentOutput(request, render, destination(destination));
        s.done();
        return output;
    }

    private static DeliverySpec.Destination destination(Section s) {
        String type = first(s.string("type"), DeliverySpec.Destination.DIRECTORY);
        List<String> readers = new ArrayList<>();
        for (Section reader : s.sections("readers")) {
            String user = reader.string("user");
            readers.add(user != null ? "user:" + user : "group:" + reader.required("group"));
            reader.done();
        }
        DeliverySpec.Destination destination = new DeliverySpec.Destination(type, s.string("path"), readers, s.string("name"),
                s.string("namespace"));
        s.ignore("symlinks", "acls");
        s.done();
        return destination;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    /** A YAML mapping being read; {@link #done()} refuses keys nobody asked for. */
    private static final class Section {
        final String where;
        final Map<?, ?> map;
        final java.util.Set<Object> read = new java.util.HashSet<>();

        Section(String where, Map<?, ?> map) {
            this.where = where;
            this.map = map;
        }

        Object value(String key) {
            read.add(key);
            return map.get(key);
        }

        String string(String key) {
            Object v = value(key);
            return v == null ? null : v.toString();
        }

        String required(String key) {
            String v = string(key);
            if (v == null) {
                throw new IllegalArgumentException(where + key + " is required");
            }
            return v;
        }

        List<String> strings(String key) {
            Object v = value(key);
            if (v == null) {
                return new ArrayList<>();
            }
            if (!(v instanceof List<?> list)) {
                throw new IllegalArgumentException(where + key + " must be a list");
            }
            return new ArrayList<>(list.stream().map(Object::toString).toList());
        }

        Section section(String key) {
            Object v = value(key);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(where + key + " must be a mapping");
            }
            return new Section(where + key + ".", m);
        }

        List<Section> sections(String key) {
            Object v = value(key);
            List<Section> sections = new ArrayList<>();
            if (v instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (!(list.get(i) instanceof Map<?, ?> m)) {
                        throw new IllegalArgumentException(where + key + "[" + i + "] must be a mapping");
                    }
                    sections.add(new Section(where + key + "[" + i + "].", m));
                }
            } else if (v != null) {
                throw new IllegalArgumentException(where + key + " must be a list");
            }
            return sections;
        }

        void ignore(String... keys) {
            read.addAll(List.of(keys));
        }

        void done() {
            for (Object key : map.keySet()) {
                if (!read.contains(key)) {
                    throw new IllegalArgumentException("unknown setting " + where + key);
                }
            }
        }
    }
}
