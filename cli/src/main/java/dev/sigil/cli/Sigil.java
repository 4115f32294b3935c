package dev.sigil.cli;

import java.io.PrintWriter;

import dev.sigil.cli.access.LocksCommand;
import dev.sigil.cli.access.RolesCommand;
import dev.sigil.cli.api.ApiRefusal;
import dev.sigil.cli.audit.AuditCommand;
import dev.sigil.cli.audit.ConsoleCommand;
import dev.sigil.cli.bots.BotsCommand;
import dev.sigil.cli.bots.TokensCommand;
import dev.sigil.cli.ca.CaCommand;
import dev.sigil.cli.ca.LeafClustersCommand;
import dev.sigil.cli.fleet.DeliveriesCommand;
import dev.sigil.cli.fleet.FleetCommand;
import dev.sigil.cli.fleet.InstancesCommand;
import dev.sigil.cli.identity.AdminsCommand;
import dev.sigil.cli.identity.LoginCommand;
import dev.sigil.cli.identity.StatusCommand;
import dev.sigil.output.agent.JoinClient.JoinRefusedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code sigil}: the admin CLI. Every command but {@code login} calls join-service's admin API over mTLS with the
 * admin's own bot identity kept in {@code ~/.sigil}, renewing it first when it is past half its life.
 *
 * <p>Exit codes: 0 done, 2 Sigil refused (its code and sentence are printed), 1 anything else (bad flags, no
 * identity, join-service unreachable).
 */
@Command(name = "sigil", mixinStandardHelpOptions = true, versionProvider = Sigil.Version.class,
        description = "Sigil's admin CLI: bots, join tokens, roles, locks, bot instances, deliveries, fleet health, CAs, "
                + "leaf clusters, admins and the audit trail. Log in first: sigil login --join-url URL --ca-pin PIN --token-file FILE.",
        subcommands = { LoginCommand.class, StatusCommand.class, BotsCommand.class, TokensCommand.class,
                RolesCommand.class, LocksCommand.class, InstancesCommand.class, DeliveriesCommand.class,
                FleetCommand.class, CaCommand.class, LeafClustersCommand.class, AdminsCommand.class, AuditCommand.class,
                ConsoleCommand.class })
public final class Sigil {
    public static final int REFUSED = 2;
    public static final int FAILED = 1;

    /** How results are printed: readable tables, or the API's JSON. */
    public enum Format {
        table, json
    }

    private static Format format = Format.table;

    @Option(names = "--format", scope = ScopeType.INHERIT, paramLabel = "table|json",
            description = "table (default) or json: the API's JSON as it answered.")
    void setFormat(Format value) {
        format = value;
    }

    public static Format format() {
        return format;
    }

    public static boolean json() {
        return format == Format.json;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Sigil());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(new Failures());
        cli.setParameterExceptionHandler(new BadArguments());
        return cli.execute(args);
    }

    /** Refusals as code and sentence (exit 2); any other failure as one line (exit 1), never a stack trace. */
    static final class Failures implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
            PrintWriter err = command.getErr();
            if (e instanceof ApiRefusal refusal) {
                err.println("sigil: refused: " + refusal.code() + ": " + refusal.getMessage());
                err.flush();
                return REFUSED;
            }
            if (e instanceof JoinRefusedException refusal) {
                err.println("sigil: refused: " + refusal.refusal().code() + ": " + refusal.refusal().message());
                err.flush();
                return REFUSED;
            }
            if (e instanceof InterruptedException) {
                return FAILED;
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException) {
                message = "cannot reach join-service (" + (e.getMessage() == null ? "connection refused" : e.getMessage())
                        + "): is it running, and is the join URL right?";
            } else if (e instanceof javax.net.ssl.SSLException) {
                message = "TLS with join-service failed: " + message;
            }
            err.println("sigil: " + message);
            err.flush();
            return FAILED;
        }
    }

    /** A flag or argument picocli could not take: say which and how to get help; exit 1 (2 means a refusal). */
    static final class BadArguments implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("sigil: " + e.getMessage());
            err.println("See '" + command.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return FAILED;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Sigil.class.getPackage().getImplementationVersion();
            return new String[] { "sigil " + (version == null ? "(development)" : version) };
        }
    }
}
