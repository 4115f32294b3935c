package dev.sigil.cli.identity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

import dev.sigil.contract.EventJson;
import dev.sigil.contract.IssueResult;
import dev.sigil.contract.IssuedIdentity;
import dev.sigil.output.agent.CaPins;
import dev.sigil.output.agent.JoinClient;
import dev.sigil.output.agent.JoinClient.JoinRefusedException;
import dev.sigil.output.keys.HolderKey;

/**
 * The admin's identity: the certificate of the admin's bot and its key, kept in {@code ~/.sigil} (directory 0700,
 * files 0600) with the join URL and CA pins it was joined with. It renews itself, as the agent does for a token
 * bot, once past half its life; every admin API call presents it as the TLS client certificate.
 */
public final class AdminIdentity {
    private static final String PROFILE = "profile.json";
    private static final String CERTIFICATE = "tlscert";
    private static final String KEY = "tlskey";

    /** What is kept besides the certificate and key. */
    public record Profile(String joinUrl, List<String> caPins, String bot, String instanceId, long generation,
            Instant validAfter, Instant validBefore) {
    }

    private final Path dir;
    private final Profile profile;
    private final String certificate;
    private final String key;

    private AdminIdentity(Path dir, Profile profile, String certificate, String key) {
        this.dir = dir;
        this.profile = profile;
        this.certificate = certificate;
        this.key = key;
    }

    /** {@code ~/.sigil}: where {@code sigil login} keeps the identity. */
    public static Path home() {
        // $HOME first: Java's user.home comes from the password database and ignores it.
        String home = System.getenv("HOME");
        return Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home, ".sigil");
    }

    /** Joins with a join token of method {@code token} as the admin's bot, and keeps the identity. */
    public static AdminIdentity login(Path dir, URI joinUrl, List<String> caPins, String token)
            throws IOException, InterruptedException, JoinRefusedException {
        HolderKey key = HolderKey.generate();
        IssueResult result = new JoinClient(joinUrl, caPins).join("token", token, key.publicKeyLine(), null);
        return keep(dir, joinUrl.toString(), caPins, result, key);
    }

    /** The identity kept by an earlier login, renewed first if it is past half its life. */
    public static AdminIdentity current() throws IOException, InterruptedException, JoinRefusedException {
        AdminIdentity identity = read(home());
        if (!identity.renewalDue(Instant.now())) {
            return identity;
        }
        // One renewal at a time: a second CLI run waits, then finds the identity already renewed.
        try (FileChannel channel = FileChannel.open(identity.dir.resolve("lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
            identity = read(identity.dir);
            return identity.renewalDue(Instant.now()) ? identity.renew() : identity;
        }
    }

    public static AdminIdentity read(Path dir) throws IOException {
        try {
            Profile profile = EventJson.read(Files.readString(dir.resolve(PROFILE)), Profile.class);
            return new AdminIdentity(dir, profile, Files.readString(dir.resolve(CERTIFICATE)), Files.readString(dir.resolve(KEY)));
        } catch (NoSuchFileException e) {
            throw new IOException("not logged in (no identity in " + dir + "): run sigil login --join-url URL --ca-pin PIN "
                    + "--token-file FILE with the join token your Sigil admin (or ./sigil admin bootstrap) gave you");
        }
    }

    public Profile profile() {
        return profile;
    }

    public Path dir() {
        return dir;
    }

    boolean renewalDue(Instant now) {
        Duration life = Duration.between(profile.validAfter(), profile.validBefore());
        return !now.isBefore(profile.validAfter().plus(life.dividedBy(2)));
    }

    /** Renews with the current certificate and a challenge signed by its key, for a new key. */
    AdminIdentity renew() throws IOException, InterruptedException, JoinRefusedException {
        if (!Instant.now().isBefore(profile.validBefore())) {
            throw new IOException("the admin identity in " + dir + " (bot " + profile.bot() + ") expired at "
                    + profile.validBefore() + " before it could be renewed: run sigil login again with a new join token");
        }
        JoinClient client = new JoinClient(URI.create(profile.joinUrl()), profile.caPins());
        HolderKey current = HolderKey.fromPkcs8(key);
        HolderKey next = HolderKey.generate();
        String challenge = client.challenge();
        IssueResult result = client.renew(certificate, challenge, current.sign(challenge.getBytes(StandardCharsets.UTF_8)),
                next.publicKeyLine(), null);
        return keep(dir, profile.joinUrl(), profile.caPins(), result, next);
    }

    private static AdminIdentity keep(Path dir, String joinUrl, List<String> caPins, IssueResult result, HolderKey key)
            throws IOException {
        IssuedIdentity issued = result.identity();
        if (issued == null || issued.tlsCertificate() == null) {
            throw new IOException("join-service answered without an X.509 certificate for the admin's bot");
        }
        Profile profile = new Profile(joinUrl, caPins, result.bot(), issued.instanceId(), issued.generation(),
                issued.validAfter(), issued.validBefore());
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        // The key first, the profile last: a reader never pairs a new profile with an old key.
        String pkcs8 = key.pkcs8PrivateKey();
        writePrivate(dir.resolve(KEY), pkcs8);
        writePrivate(dir.resolve(CERTIFICATE), issued.tlsCertificate());
        writePrivate(dir.resolve(PROFILE), EventJson.write(profile));
        return new AdminIdentity(dir, profile, issued.tlsCertificate(), pkcs8);
    }

    /** Written to a 0600 temporary file, then renamed over the old one: never readable by others, never half written. */
    private static void writePrivate(Path file, String content) throws IOException {
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temporary, content);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** TLS that trusts join-service by the CA pins and presents this identity as the client certificate. */
    public SSLContext sslContext() {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate[] chain = factory.generateCertificates(new ByteArrayInputStream(certificate.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            String base64 = key.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] { new OneIdentity(chain, privateKey) }, new TrustManager[] { new CaPins(profile.caPins()) }, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the identity in " + dir + " cannot be used for TLS: " + e.getMessage(), e);
        }
    }

    /** Always offers the admin's certificate, whatever key types and issuers the server names. */
    private static final class OneIdentity extends X509ExtendedKeyManager {
        private static final String ALIAS = "admin";
        private final X509Certificate[] chain;
        private final PrivateKey key;

        OneIdentity(X509Certificate[] chain, PrivateKey key) {
            this.chain = chain;
            this.key = key;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] { ALIAS };
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
    }
}
