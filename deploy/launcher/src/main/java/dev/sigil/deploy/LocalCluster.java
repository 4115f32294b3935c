package dev.sigil.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import dev.sigil.contract.TopicSetup;

/**
 * Sigil on one machine without Docker: a single-node KRaft Kafka broker and the four services, each its own
 * process on free loopback ports, with state and logs under a home directory. Used by the launcher and the
 * end-to-end tests alike.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 4;

    private final Path root;
    private final Path home;
    private final String challengeKey = UUID.randomUUID().toString();
    private final String clusterName;
    private final int kafkaPort = freePort();
    private final int controllerPort = freePort();
    private final Map<Service, Integer> replicas = new EnumMap<>(Service.class);
    private final Map<Replica, Integer> httpPorts = new java.util.HashMap<>();
    /** join-service serves HTTPS only; its health is on a plain management port. */
    private final Map<Replica, Integer> managementPorts = new java.util.HashMap<>();
    private final Map<Replica, Process> services = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> serviceEnv = new java.util.LinkedHashMap<>();
    private final Map<Service, String> heaps = new EnumMap<>(Service.class);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private Process broker;
    private BusCa busCa;
    private boolean busSecurity = true;
    /** Runner nodes whose writer has a bus identity and ACLs ({@link #nodeWriterIdentity}). */
    private final java.util.Set<String> nodeWriters = new java.util.LinkedHashSet<>();
    private X509Certificate tlsCa;
    private HttpClient trustingClient;
    /** The launcher's own admin (ca-admin), bootstrapped at start: the key lives in this process only. */
    public static final String LAUNCHER_ADMIN = "sigil-launcher";
    private AdminIdentity launcherAdmin;
    /** Set: the broker and the services run as containers of Sigil's images instead of processes. */
    private Containers containers;

    public LocalCluster(Path root, Path home, String clusterName) {
        this.root = root.toAbsolutePath().normalize();
        this.home = home.toAbsolutePath().normalize();
        this.clusterName = clusterName;
        for (Service s : Service.values()) {
            replicas.put(s, 1);
        }
    }

    /** One running copy of a service; replica 0 is the one {@link #url(Service)} names. */
    public record Replica(Service service, int index) {
        String name() {
            return index == 0 ? service.module : service.module + "-" + index;
        }
    }

    /**
     * Runs {@code count} replicas of a service, each with its own ports and state (issuers share the CA keys); 0
     * leaves the service out, for a benchmark of another one.
     */
    public LocalCluster withReplicas(Service service, int count) {
        replicas.put(service, count);
        return this;
    }

    public List<Replica> replicas(Service service) {
        List<Replica> all = new ArrayList<>();
        for (int i = 0; i < replicas.get(service); i++) {
            all.add(new Replica(service, i));
        }
        return all;
    }

    /** Lifts join-service's per-client and per-bot rate limits, for a load generated from one address. */
    public LocalCluster withRateLimitsLifted() {
        for (String limit : List.of("CLIENT_PER_SECOND", "CLIENT_BURST", "BOT_PER_SECOND", "BOT_BURST")) {
            withServiceEnv("SIGIL_RATE_LIMIT_" + limit, "1000000");
        }
        return this;
    }

    /** The maximum heap of a service's replicas, e.g. {@code 512m} (default 384m). */
    public LocalCluster withHeap(Service service, String maxHeap) {
        heaps.put(service, maxHeap);
        return this;
    }

    /** The operating-system process of a running replica, e.g. to read its memory. */
    public ProcessHandle process(Replica replica) {
        return services.get(replica).toHandle();
    }

    /** The broker's operating-system process (not in containers), e.g. to read its CPU time. */
    public ProcessHandle brokerProcess() {
        if (broker == null) {
            throw new IllegalStateException("the broker is not a process of this cluster (not started, or in a container)");
        }
        return broker.toHandle();
    }

    /** Every running process of this cluster by name: {@code broker} and each replica ({@code join-service}, ...). */
    public Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> all = new java.util.LinkedHashMap<>();
        all.put("broker", brokerProcess());
        for (Service service : Service.values()) {
            for (Replica replica : replicas(service)) {
                Process p = services.get(replica);
                if (p != null) {
                    all.put(replica.name(), p.toHandle());
                }
            }
        }
        return all;
    }

    /** Sets an environment variable (a Quarkus config override) for every service started from now on. */
    public LocalCluster withServiceEnv(String name, String value) {
        serviceEnv.put(name, value);
        return this;
    }

    /**
     * Runs the broker and every service as a container of Sigil's images (deploy/containers/build), on the host's
     * network with the same ports, bus identities and settings as processes would get; each container sees only its
     * own state and identity directories, mounted at the same paths.
     */
    public LocalCluster withContainers(Containers containers) {
        this.containers = containers;
        return this;
    }

    /** Finds the source tree: the sigil.root property (set by the build) or the working directory. */
    public static Path sourceRoot() {
        return Path.of(System.getProperty("sigil.root", System.getProperty("user.dir")));
    }

    public LocalCluster start() throws IOException, InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close));
        startBroker();
        if (busSecurity) {
            BusAcls.apply(kafkaClient(), nodeWriters);
        }
        TopicSetup.ensureTopics(kafkaClient(), PARTITIONS, (short) 1);
        for (Service s : Service.values()) {
            for (Replica r : replicas(s)) {
                launch(r);
            }
        }
        for (Service s : Service.values()) {
            for (Replica r : replicas(s)) {
                awaitReady(r);
            }
        }
        if (replicas.get(Service.JOIN) > 0) {
            renewAdminIdentity();
            writeClusterFile();
        }
        return this;
    }

    /**
     * Bootstraps the launcher's admin anew (a fresh one-time token written with the operator's bus identity) and
     * joins with it: at start, and whenever its certificate stops being trusted (after a CA rotation), as an admin's
     * {@code sigil} CLI would renew. Connections made from now on present the new certificate.
     */
    public synchronized AdminIdentity renewAdminIdentity() throws IOException, InterruptedException {
        AdminBootstrap.Bootstrapped admin = AdminBootstrap.bootstrap(kafkaClient(), LAUNCHER_ADMIN, dev.sigil.contract.AdminSpec.CA_ADMIN,
                Duration.ofMinutes(10));
        launcherAdmin = AdminIdentity.join(anonymousHttpClient(), url(Service.JOIN), admin.name(), admin.token(), "12h");
        trustingClient = null;
        return launcherAdmin;
    }

    /**
     * Bootstraps another admin (its bot, role, admins-table entry and one-time join token) and returns its token, for
     * the operator to log in with ({@code sigil login}) or a test to join with.
     */
    public AdminBootstrap.Bootstrapped bootstrapAdmin(String name, String adminRole) {
        return AdminBootstrap.bootstrap(kafkaClient(), name, adminRole, Duration.ofHours(1));
    }

    /** Where this cluster can be reached, for {@code ./sigil admin bootstrap} run beside it: {@code <home>/cluster.json}. */
    private void writeClusterFile() throws IOException {
        Files.writeString(home.resolve(ClusterFile.NAME), dev.sigil.contract.EventJson.write(new ClusterFile(bootstrapServers(),
                url(Service.JOIN).toString(), caPin(), busSecurity ? busIdentity(BusAcls.ADMIN).toString() : null)));
    }

    /** What {@code <home>/cluster.json} holds. */
    public record ClusterFile(String kafkaBootstrap, String joinUrl, String caPin, String operatorIdentity) {
        public static final String NAME = "cluster.json";
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /**
     * Turns the bus's mutual TLS and ACLs off (a plaintext broker that allows everything): only for the benchmark
     * that measures what they cost. Every other way of running Sigil has them on.
     */
    public LocalCluster withBusSecurity(boolean on) {
        busSecurity = on;
        return this;
    }

    /** The bus CA, made under {@code <home>/bus} at first start and reused after. */
    public synchronized BusCa busCa() {
        if (busCa == null) {
            busCa = new BusCa(home.resolve("bus"));
        }
        return busCa;
    }

    /** Settings of a Kafka client speaking as the operator ({@value BusAcls#ADMIN}, a super user): for tools and tests. */
    public Map<String, Object> kafkaClient() {
        return kafkaClient(BusAcls.ADMIN);
    }

    /** The operator's client settings plus these (key, value, key, value, ...), e.g. a consumer's deserializers. */
    public Map<String, Object> operatorClient(Object... keysAndValues) {
        Map<String, Object> settings = new java.util.HashMap<>(kafkaClient());
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return settings;
    }

    /** Settings of a Kafka client speaking as {@code principal}, whose identity is made if it has none yet. */
    public Map<String, Object> kafkaClient(String principal) {
        if (!busSecurity) {
            return new java.util.HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        }
        return dev.sigil.contract.BusIdentity.client(bootstrapServers(), java.util.Optional.of(busIdentity(principal)));
    }

    /** The identity directory ({@code ca.crt}, {@code user.crt}, {@code user.key}) of a principal, made on first use. */
    public Path busIdentity(String principal) {
        return busCa().identity(principal);
    }

    /**
     * Gives runner node {@code node}'s writer its bus identity and ACLs ({@code output-writer-node-<node>}); on a
     * running cluster the ACLs are set at once.
     */
    public synchronized Path nodeWriterIdentity(String node) {
        Path identity = busIdentity(BusAcls.nodeWriter(node));
        if (nodeWriters.add(node) && broker != null && busSecurity) {
            BusAcls.apply(kafkaClient(), nodeWriters);
        }
        return identity;
    }

    public URI url(Service service) {
        return url(new Replica(service, 0));
    }

    public URI url(Replica replica) {
        return URI.create((replica.service() == Service.JOIN ? "https" : "http") + "://127.0.0.1:" + port(httpPorts, replica));
    }

    private URI health(Replica replica) {
        return management(replica).resolve("/q/health/ready");
    }

    /** Where a replica serves {@code /q/health} and {@code /q/metrics}: plain HTTP, a port of its own on join-service. */
    public URI management(Replica replica) {
        int port = replica.service() == Service.JOIN ? port(managementPorts, replica) : port(httpPorts, replica);
        return URI.create("http://127.0.0.1:" + port);
    }

    private static synchronized int port(Map<Replica, Integer> ports, Replica replica) {
        return ports.computeIfAbsent(replica, r -> freePort());
    }

    /** Sigil's service TLS CA as published on {@code sigil.ca}; join-service's HTTPS chains to it. */
    public synchronized X509Certificate tlsCa() {
        if (tlsCa == null) {
            tlsCa = CaTrust.read(kafkaClient());
        }
        return tlsCa;
    }

    /** The pin agents give as {@code --ca-pin}. */
    public String caPin() {
        return CaTrust.pin(tlsCa());
    }

    /**
     * An HTTP client that trusts Sigil's CA, for join-service's HTTPS, and presents the launcher's admin certificate
     * (a ca-admin) when asked: what the tests and the demo call the admin API and everything else with.
     */
    public synchronized HttpClient httpClient() {
        if (trustingClient == null) {
            trustingClient = httpClient(HttpClient.Version.HTTP_1_1);
        }
        return trustingClient;
    }

    /**
     * A new client that trusts Sigil's CA and speaks the given HTTP version: HTTP/2 multiplexes requests over one
     * connection, as a load generator with a fixed set of keep-alive connections would.
     */
    public synchronized HttpClient httpClient(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5))
                .sslContext(launcherAdmin == null ? CaTrust.sslContext(tlsCa()) : launcherAdmin.sslContext(tlsCa())).build();
    }

    /** A client that trusts Sigil's CA and presents no certificate: a bot, a webhook, or anyone who is no admin. */
    public HttpClient anonymousHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(CaTrust.sslContext(tlsCa())).build();
    }

    /** A client that trusts Sigil's CA and presents this admin's certificate. */
    public HttpClient httpClient(AdminIdentity admin) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(admin.sslContext(tlsCa())).build();
    }

    public Path home() {
        return home;
    }

    public Path log(Service service) {
        return log(new Replica(service, 0));
    }

    public Path log(Replica replica) {
        return home.resolve("logs").resolve(replica.name() + ".log");
    }

    /** Stops a service (its first replica) the hard way ({@code kill -9}), as a crash would. */
    public void kill(Service service) throws InterruptedException {
        kill(new Replica(service, 0));
    }

    public void kill(Replica replica) throws InterruptedException {
        Process p = services.remove(replica);
        if (containers != null) {
            try {
                containers.remove(replica.name());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    public void restart(Service service) throws IOException, InterruptedException {
        restart(new Replica(service, 0));
    }

    public void restart(Replica replica) throws IOException, InterruptedException {
        kill(replica);
        launch(replica);
        awaitReady(replica);
    }

    /** Runs the bot agent as its own process, the way a CI job would. */
    public ProcessResult runAgent(String... args) throws IOException, InterruptedException {
        return runAgent(Map.of(), args);
    }

    /** Runs the bot agent with extra environment variables, as a platform sets them for a job (AWS_*, ...). */
    public ProcessResult runAgent(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(agentCommand(args));
        builder.environment().putAll(env);
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** Starts the bot agent as a daemon (the self-hosted runner case), its output going to {@code log}. */
    public Process startAgent(Path log, String... args) throws IOException {
        return new ProcessBuilder(agentCommand(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private List<String> agentCommand(String... args) {
        Path app = root.resolve("output-writer/target/quarkus-app");
        List<String> command = new ArrayList<>(List.of(java(), "-cp",
                app.resolve("app") + "/*:" + app.resolve("lib/main") + "/*", "dev.sigil.output.agent.Agent"));
        command.addAll(List.of(args));
        return command;
    }

    /** What a finished process said. */
    public record ProcessResult(int exitCode, String stdout, String stderr) {
    }

    private void startBroker() throws IOException, InterruptedException {
        Path kafkaHome = home.resolve("kafka");
        Files.createDirectories(kafkaHome);
        Files.createDirectories(home.resolve("logs"));
        Path config = kafkaHome.resolve("server.properties");
        String template = resource("/kafka/server.properties");
        // Holds the broker's key: 0600 before anything is written to it.
        if (!Files.exists(config)) {
            Files.createFile(config, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        if (busSecurity) {
            Path brokerIdentity = busCa().brokerIdentity();
            template = template
                    .replace("@BROKER_KEY@", propertyValue(brokerIdentity.resolve(dev.sigil.contract.BusIdentity.KEY_FILE)))
                    .replace("@BROKER_CERTIFICATE@", propertyValue(brokerIdentity.resolve(dev.sigil.contract.BusIdentity.CERTIFICATE_FILE)))
                    .replace("@BUS_CA@", propertyValue(brokerIdentity.resolve(dev.sigil.contract.BusIdentity.CA_FILE)));
        } else {
            template = withoutBusSecurity(template);
        }
        Files.writeString(config, template
                .replace("@KAFKA_PORT@", String.valueOf(kafkaPort))
                .replace("@CONTROLLER_PORT@", String.valueOf(controllerPort))
                .replace("@DATA_DIR@", kafkaHome.resolve("data").toString()));
        Path log4j = Files.writeString(kafkaHome.resolve("log4j2.properties"), resource("/kafka/log4j2.properties"));
        Path brokerJars = root.resolve("deploy/kafka-broker/target/lib");
        if (containers == null && !Files.isDirectory(brokerJars)) {
            throw new IllegalStateException(brokerJars + " is missing: build first (mvn -DskipTests package)");
        }
        if (containers != null) {
            // The image formats new storage itself (deploy/containers/kafka-broker/sigil-kafka-broker).
            broker = containers.run("kafka-broker", "kafka-broker", Map.of(kafkaHome, false),
                            Map.of("KAFKA_CLUSTER_ID", randomClusterId(), "KAFKA_HEAP_OPTS", "-Xmx512m"), List.of(config.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("logs/kafka.log").toFile()))
                    .start();
            awaitBroker();
            return;
        }
        String classpath = brokerJars + "/*";
        if (!Files.exists(kafkaHome.resolve("data/meta.properties"))) {
            ProcessResult format = run(List.of(java(), "-cp", classpath, "-Dlog4j2.configurationFile=" + log4j,
                    "kafka.tools.StorageTool", "format", "-t", randomClusterId(), "-c", config.toString()));
            if (format.exitCode() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed: " + format.stdout() + format.stderr());
            }
        }
        broker = new ProcessBuilder(java(), "-Xmx512m", "-cp", classpath, "-Dlog4j2.configurationFile=" + log4j,
                "kafka.Kafka", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("logs/kafka.log").toFile()))
                .start();
        awaitBroker();
    }

    private void awaitBroker() throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        Map<String, Object> settings = new java.util.HashMap<>(kafkaClient());
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(settings)) {
            while (true) {
                if (!broker.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited; see " + home.resolve("logs/kafka.log"));
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("the Kafka broker did not start within " + START_TIMEOUT);
                    }
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
        }
    }

    private void launch(Replica replica) throws IOException {
        Service service = replica.service();
        Path state = home.resolve(replica.name());
        Files.createDirectories(state);
        Path runner = service.runner(root);
        if (containers == null && !Files.exists(runner)) {
            throw new IllegalStateException(runner + " is missing: build first (mvn -DskipTests package)");
        }
        String jvmOptions = "-Xmx" + heaps.getOrDefault(service, "384m") + " -XX:+UseSerialGC";
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers());
        // Its own principal on the bus; a runner node's writer (SIGIL_DELIVERIES_NODE) is output-writer-node-<node>.
        String node = serviceEnv.get("SIGIL_DELIVERIES_NODE");
        Path identity = null;
        if (busSecurity) {
            identity = service == Service.OUTPUT_WRITER && node != null ? nodeWriterIdentity(node) : busIdentity(service.module);
            env.put(dev.sigil.contract.BusIdentity.DIR_ENV, identity.toString());
        }
        if (service == Service.JOIN) {
            env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(port(httpPorts, replica)));
            env.put("QUARKUS_HTTP_PORT", String.valueOf(freePort()));
            env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(port(managementPorts, replica)));
            env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        } else {
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port(httpPorts, replica)));
        }
        if (service == Service.ISSUER) {
            // Every issuer replica signs with the same CA (in a cluster: one Kubernetes Secret).
            env.put("SIGIL_CA_KEY_DIR", home.resolve(Service.ISSUER.module).resolve("ca").toString());
        }
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("SIGIL_STATE_DIR", state.toString());
        env.put("SIGIL_CLUSTER_NAME", clusterName);
        env.put("SIGIL_JOIN_CHALLENGE_KEY", challengeKey); // replicas must agree on it
        env.putAll(serviceEnv);
        ProcessBuilder builder;
        if (containers != null) {
            Map<Path, Boolean> mounts = new java.util.LinkedHashMap<>();
            mounts.put(state, false);
            if (identity != null) {
                mounts.put(identity, true);
            }
            Path caKeys = home.resolve(Service.ISSUER.module).resolve("ca");
            if (service == Service.ISSUER && !caKeys.startsWith(state)) {
                mounts.put(Files.createDirectories(caKeys), false);
            }
            env.put("JAVA_OPTS", jvmOptions);
            builder = containers.run(replica.name(), service.module, mounts, env, List.of());
        } else {
            List<String> command = new ArrayList<>(List.of(java()));
            command.addAll(List.of(jvmOptions.split(" ")));
            command.addAll(List.of("-jar", runner.toString()));
            builder = new ProcessBuilder(command).directory(state.toFile());
            builder.environment().putAll(env);
        }
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(replica).toFile()));
        services.put(replica, builder.start());
    }

    private void awaitReady(Replica replica) throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        HttpRequest ready = HttpRequest.newBuilder(health(replica)).timeout(Duration.ofSeconds(2)).build();
        while (true) {
            Process p = services.get(replica);
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException(replica.name() + " exited during start-up; see " + log(replica));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(replica.name() + " was not ready within " + START_TIMEOUT + "; see " + log(replica));
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    /** Stops the broker (SIGTERM, as an orderly restart would) and starts it again on the same ports and data. */
    public synchronized void restartBroker() throws IOException, InterruptedException {
        broker.destroy();
        awaitExit(broker);
        if (containers != null) {
            containers.remove("kafka-broker");
        }
        startBroker();
    }

    @Override
    public synchronized void close() {
        services.values().forEach(Process::destroy);
        services.values().forEach(LocalCluster::awaitExit);
        services.clear();
        if (broker != null) {
            broker.destroy();
            awaitExit(broker);
            broker = null;
        }
        if (containers != null) {
            containers.removeAll(); // those a stopped podman client left behind
        }
    }

    private static void awaitExit(Process p) {
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** The broker config with plaintext listeners and no authorizer: the benchmark's "off". */
    private static String withoutBusSecurity(String config) {
        return config.lines()
                .filter(l -> !l.startsWith("ssl.") && !l.startsWith("authorizer.") && !l.startsWith("allow.everyone") && !l.startsWith("super.users"))
                .map(l -> l.replace("BUS:SSL,CONTROLLER:SSL", "BUS:PLAINTEXT,CONTROLLER:PLAINTEXT"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    /** A PEM file as one properties value: line breaks escaped, as Properties.load reads them back. */
    private static String propertyValue(Path pem) throws IOException {
        return Files.readString(pem, StandardCharsets.US_ASCII).strip().replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static ProcessResult run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return new ProcessResult(p.exitValue(), out, "");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A KRaft cluster id; Kafka's own generator never starts one with '-', which the format tool would take for an option. */
    private static String randomClusterId() {
        return org.apache.kafka.common.Uuid.randomUuid().toString();
    }

    private static String resource(String name) {
        try (var in = LocalCluster.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
