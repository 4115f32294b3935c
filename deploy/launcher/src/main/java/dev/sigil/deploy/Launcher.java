package dev.sigil.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs Sigil on this machine: a local Kafka broker and the four services, without Docker. */
@Command(name = "sigil", mixinStandardHelpOptions = true, subcommands = { Launcher.Demo.class, Launcher.Up.class,
        JoinLatency.class, AdminCommand.class }, description = "Sigil on one machine: a local Kafka broker and the four services.")
public final class Launcher {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Launcher()).execute(args));
    }

    /** Options every command shares. */
    static final class Where {
        @Option(names = "--home", defaultValue = ".sigil", description = "State, logs and outputs (default: ${DEFAULT-VALUE}).")
        Path home;

        @Option(names = "--cluster-name", defaultValue = "sigil.local", description = "The cluster (trust domain) name.")
        String clusterName;

        @Option(names = "--replicas", defaultValue = "1", description = "Replicas of each service (default: ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--admin", defaultValue = "admin", description = "The first admin (a ca-admin) to bootstrap "
                + "and print the `sigil login` line for (default: ${DEFAULT-VALUE}).")
        String admin;

        @Option(names = "--containers", description = "Run the broker and the services as podman containers of Sigil's "
                + "images (as root; build them first with deploy/containers/build).")
        boolean containers;

        LocalCluster cluster() {
            LocalCluster cluster = new LocalCluster(LocalCluster.sourceRoot(), home, clusterName);
            for (Service service : Service.values()) {
                cluster.withReplicas(service, replicas);
            }
            if (containers) {
                Containers.unavailable().ifPresent(reason -> {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--containers: " + reason);
                });
                cluster.withContainers(new Containers(LocalCluster.sourceRoot(), Containers.projectVersion(LocalCluster.sourceRoot())));
            }
            return cluster;
        }
    }

    @Command(name = "demo", description = "Start Sigil, create a demo role, bot and join token, run the bot agent once "
            + "and show where its identity was written.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @Option(names = "--stay", description = "Keep Sigil running afterwards, until Ctrl-C.")
        boolean stay;

        @Override
        public Integer call() throws Exception {
            try (LocalCluster cluster = where.cluster()) {
                System.out.println("Starting a local Kafka broker and the four Sigil services (logs in "
                        + cluster.home().resolve("logs") + ") ...");
                long started = System.nanoTime();
                cluster.start();
                System.out.printf("Sigil is up in %.1f s: join-service %s (CA pin %s), Kafka %s (mTLS; operator identity %s)%n",
                        (System.nanoTime() - started) / 1e9, cluster.url(Service.JOIN), cluster.caPin(), cluster.bootstrapServers(),
                        cluster.busIdentity(BusAcls.ADMIN));
                String login = System.getProperty("user.name");
                AdminClient admin = new AdminClient(cluster);
                admin.createRole("access", List.of("{{internal.logins}}"));
                admin.createBot("demo-bot", List.of("access"), List.of(login));
                String token = admin.createToken("demo-bot", "1h");
                System.out.println("Created role 'access' (logins {{internal.logins}}), bot 'demo-bot' (logins trait: "
                        + login + ") and a one-time join token.");

                Path destination = cluster.home().resolve("demo-bot").toAbsolutePath();
                Path tokenFile = cluster.home().resolve("demo-bot.token");
                java.nio.file.Files.writeString(tokenFile, token);
                java.nio.file.Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                System.out.println("Running: sigil-agent start --oneshot --join-url " + cluster.url(Service.JOIN)
                        + " --ca-pin " + cluster.caPin() + " --token-file " + tokenFile + " --destination " + destination);
                LocalCluster.ProcessResult agent = cluster.runAgent("start", "--oneshot", "--join-url",
                        cluster.url(Service.JOIN).toString(), "--ca-pin", cluster.caPin(), "--token-file",
                        tokenFile.toString(), "--destination", destination.toString());
                System.out.print(agent.stdout());
                System.err.print(agent.stderr());
                if (agent.exitCode() != 0) {
                    return agent.exitCode();
                }
                System.out.println("Trust it on a host: add " + destination.resolve("user-ca.pub")
                        + " to sshd's TrustedUserCAKeys.");
                if (stay) {
                    printLogin(cluster, where.admin);
                    System.out.println("Sigil keeps running; Ctrl-C stops it.");
                    new CountDownLatch(1).await();
                }
                return 0;
            }
        }
    }

    /** Bootstraps the first admin and prints how to log in as it: the admin API takes no shared secret. */
    static void printLogin(LocalCluster cluster, String admin) {
        AdminBootstrap.Bootstrapped first = cluster.bootstrapAdmin(admin, dev.sigil.contract.AdminSpec.CA_ADMIN);
        System.out.println("Admin '" + first.name() + "' (ca-admin) is bootstrapped; log in within 1 h (the token works once).");
        System.out.println(first.loginLines(cluster.url(Service.JOIN), cluster.caPin()));
    }

    @Command(name = "up", description = "Start Sigil and keep it running until Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() throws Exception {
            try (LocalCluster cluster = where.cluster()) {
                cluster.start();
                System.out.println("Sigil is up. join-service: " + cluster.url(Service.JOIN) + " (CA pin "
                        + cluster.caPin() + "), Kafka: " + cluster.bootstrapServers() + " (mTLS; operator identity "
                        + cluster.busIdentity(BusAcls.ADMIN) + ")");
                printLogin(cluster, where.admin);
                new CountDownLatch(1).await();
                return 0;
            }
        }
    }
}
