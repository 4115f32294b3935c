package dev.sigil.cli.identity;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import dev.sigil.cli.Sigil;
import dev.sigil.contract.EventJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Joins as the admin's bot with a one-time join token and keeps the identity in ~/.sigil. */
@Command(name = "login", mixinStandardHelpOptions = true, description = "Join Sigil as your admin bot with a join "
        + "token (method token) and keep the identity in ~/.sigil; later commands use it and renew it.")
public final class LoginCommand implements Callable<Integer> {
    @Option(names = "--join-url", required = true, defaultValue = "${env:SIGIL_JOIN_URL}", description = "join-service's URL.")
    URI joinUrl;

    @Option(names = "--ca-pin", required = true, split = ",", defaultValue = "${env:SIGIL_CA_PINS}",
            description = "sha256:<hex> of Sigil's service CA (./sigil up prints it); several separated by commas.")
    List<String> caPins;

    @Option(names = "--token", description = "The admin's join token (its secret).")
    String token;

    @Option(names = "--token-file", description = "A file holding the join token, instead of --token.")
    Path tokenFile;

    @Override
    public Integer call() throws Exception {
        String secret = tokenFile != null ? Files.readString(tokenFile).trim() : token;
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("give the admin's join token with --token or --token-file");
        }
        AdminIdentity identity = AdminIdentity.login(AdminIdentity.home(), joinUrl, caPins, secret);
        AdminIdentity.Profile p = identity.profile();
        if (Sigil.json()) {
            System.out.println(EventJson.write(p));
        } else {
            System.out.println("Logged in to " + p.joinUrl() + " as bot " + p.bot() + " (instance " + p.instanceId()
                    + "), valid until " + p.validBefore() + "; renewed by later commands. Identity in " + identity.dir());
        }
        return 0;
    }
}
