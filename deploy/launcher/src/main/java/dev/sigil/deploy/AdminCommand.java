package dev.sigil.deploy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.BusIdentity;
import dev.sigil.contract.EventJson;

/** {@code ./sigil admin ...}: what only the server side can do, with the operator's bus identity. */
@Command(name = "admin", description = "Server-side admin tasks, run where the operator's Kafka identity is.",
        subcommands = AdminCommand.Bootstrap.class, mixinStandardHelpOptions = true)
final class AdminCommand {

    @Command(name = "bootstrap", mixinStandardHelpOptions = true, description = "Make an admin (the first ca-admin, or "
            + "one to recover access) straight through Kafka, and print the `sigil login` line with its one-time join token.")
    static final class Bootstrap implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "The admin's name (its bot's name).")
        String name;

        @Option(names = "--role", defaultValue = AdminSpec.CA_ADMIN, description = "read-only, bot-admin or ca-admin (default: ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--ttl", defaultValue = "1h", description = "How long the join token works, like 1h or 30m (default: ${DEFAULT-VALUE}).")
        String ttl;

        @Option(names = "--home", defaultValue = ".sigil", description = "The home of a running `./sigil up` (its cluster.json "
                + "and bus identities), for the settings not given (default: ${DEFAULT-VALUE}).")
        Path home;

        @Option(names = "--kafka-bootstrap", description = "Kafka's bootstrap servers.")
        String kafkaBootstrap;

        @Option(names = "--bus-identity", description = "The operator's bus identity directory (ca.crt, user.crt, user.key).")
        Path busIdentity;

        @Option(names = "--join-url", description = "join-service's URL, for the printed login line.")
        URI joinUrl;

        @Option(names = "--ca-pin", description = "The CA pin, for the printed login line.")
        String caPin;

        @Override
        public Integer call() throws Exception {
            Path clusterFile = home.resolve(LocalCluster.ClusterFile.NAME);
            LocalCluster.ClusterFile local = Files.exists(clusterFile)
                    ? EventJson.read(Files.readString(clusterFile), LocalCluster.ClusterFile.class)
                    : new LocalCluster.ClusterFile(null, null, null, null);
            String kafka = kafkaBootstrap != null ? kafkaBootstrap : local.kafkaBootstrap();
            URI join = joinUrl != null ? joinUrl : local.joinUrl() == null ? null : URI.create(local.joinUrl());
            String pin = caPin != null ? caPin : local.caPin();
            Optional<Path> identity = Optional.ofNullable(busIdentity != null ? busIdentity
                    : local.operatorIdentity() == null ? null : Path.of(local.operatorIdentity()));
            if (kafka == null || join == null || pin == null) {
                throw new CommandLine.ParameterException(new CommandLine(this), "no " + clusterFile + " (is `./sigil up` "
                        + "running with this --home?): give --kafka-bootstrap, --bus-identity, --join-url and --ca-pin");
            }
            Map<String, Object> client = BusIdentity.client(kafka, identity);
            AdminBootstrap.Bootstrapped admin = AdminBootstrap.bootstrap(client, name, role, parse(ttl));
            System.out.println("Admin '" + admin.name() + "' (" + admin.role() + ") is bootstrapped; the token works once, until "
                    + admin.tokenExpires() + ".");
            System.out.println(admin.loginLines(join, pin));
            return 0;
        }

        private static Duration parse(String text) {
            return Duration.parse("PT" + text.toUpperCase());
        }
    }

    private AdminCommand() {
    }
}
