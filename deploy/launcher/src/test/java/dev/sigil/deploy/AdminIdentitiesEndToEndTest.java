package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.BotInstance;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.TopicReader;
import dev.sigil.contract.Topics;

/**
 * Admins are bots named in the admins table, authenticated by their bot certificate over mutual TLS (or a console
 * session made with one) and allowed what their admin role allows; each admin write is audited with the admin.
 */
@ExtendWith(SigilCluster.class)
class AdminIdentitiesEndToEndTest {

    /** A request's status and JSON body. */
    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String code() {
            return body.path("code").asText();
        }
    }

    @Test
    void aRequestWithoutAnAdminCertificateIsToldToLogIn(LocalCluster cluster) throws Exception {
        Answer answer = send(cluster.anonymousHttpClient(), get(cluster, "/v1/admin/bots"));
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.code()).isEqualTo("ADMIN_UNAUTHENTICATED");
        assertThat(answer.body().path("message").asText()).contains("sigil login");
    }

    @Test
    void aBotThatIsNoAdminIsRefusedWithTheRoleItLacks(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = Bots.admin(cluster).createToken(bot, "10m");
        AdminIdentity notAnAdmin = AdminIdentity.join(cluster.anonymousHttpClient(), cluster.url(Service.JOIN), bot, token, "1h");

        Answer answer = send(cluster.httpClient(notAnAdmin), get(cluster, "/v1/admin/bots"));
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.code()).isEqualTo("ADMIN_ROLE_MISSING");
        assertThat(answer.body().path("message").asText()).contains("'" + bot + "' is not an admin").contains("read-only");
    }

    @Test
    void aReadOnlyAdminReadsButCannotWrite(LocalCluster cluster) throws Exception {
        HttpClient readOnly = admin(cluster, AdminSpec.READ_ONLY);

        assertThat(send(readOnly, get(cluster, "/v1/admin/bots")).status()).isEqualTo(200);
        assertThat(send(readOnly, get(cluster, "/v1/admin/ca")).status()).isEqualTo(200);
        Answer write = send(readOnly, post(cluster, "/v1/admin/locks", Map.of("target", "bot:nobody-" + UUID.randomUUID(), "reason", "no")));
        assertThat(write.status()).isEqualTo(403);
        assertThat(write.code()).isEqualTo("ADMIN_ROLE_MISSING");
        assertThat(write.body().path("message").asText()).contains("needs the admin role bot-admin");
    }

    @Test
    void aBotAdminWritesBotsButNotRolesTheCaAdminsOrAnAdminsBot(LocalCluster cluster) throws Exception {
        HttpClient botAdmin = admin(cluster, AdminSpec.BOT_ADMIN);
        String role = Bots.newBot(cluster, List.of("deploy")) + "-role"; // a role the launcher admin made

        Answer bot = send(botAdmin, post(cluster, "/v1/admin/bots", Map.of("name", "by-bot-admin-" + suffix(), "roles", List.of(role))));
        assertThat(bot.status()).as(bot.body().toString()).isEqualTo(201);
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/roles", Map.of("name", "r-" + suffix(), "logins", List.of("root")))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/ca/rotation", Map.of("phase", "init"))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/admins", Map.of("name", "x-" + suffix(), "roles", List.of("ca-admin")))));
        // No way up through an admin's bot: a join token for it, rewriting it, a delivery of its identity, a lock.
        String adminBot = LocalCluster.LAUNCHER_ADMIN;
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", adminBot, "ttl", "10m"))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/bots", Map.of("name", adminBot, "roles", List.of(role)))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/deliveries", Map.of("id", "steal-" + suffix(), "bot", adminBot,
                "output", Map.of("kind", "identity"), "destination", Map.of("type", "directory", "path", "/tmp/steal")))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/locks", Map.of("target", "bot:" + adminBot, "reason", "coup"))));
    }

    @Test
    void aBodyThatIsNotUtf8CannotSlipAWriteForAnAdminsBotPastTheCaAdminRule(LocalCluster cluster) throws Exception {
        HttpClient botAdmin = admin(cluster, AdminSpec.BOT_ADMIN);
        String victim = adminBot(cluster, botAdmin);
        String tokensBefore = send(botAdmin, get(cluster, "/v1/admin/tokens?bot=" + victim)).body().path("items").toString();
        String botBefore = send(botAdmin, get(cluster, "/v1/admin/bots/" + victim)).body().toString();
        String delivery = "steal-" + suffix();

        // A 0xFF byte in a field the endpoint ignores: the endpoint reads it as U+FFFD, and so must the access check.
        assertNeedsCaAdmin(send(botAdmin, postWithByteFF(cluster, "/v1/admin/tokens", Map.of("bot", victim, "joinMethod", "token", "ttl", "720h"))));
        assertNeedsCaAdmin(send(botAdmin, postWithByteFF(cluster, "/v1/admin/deliveries", Map.of("id", delivery, "bot", victim,
                "output", Map.of("kind", "identity"), "destination", Map.of("type", "directory", "path", "/tmp/" + delivery)))));
        assertNeedsCaAdmin(send(botAdmin, postWithByteFF(cluster, "/v1/admin/locks", Map.of("target", "bot:" + victim, "reason", "coup"))));
        assertNeedsCaAdmin(send(botAdmin, postWithByteFF(cluster, "/v1/admin/bots", Map.of("name", victim, "roles", List.of("nothing")))));

        assertThat(send(botAdmin, get(cluster, "/v1/admin/tokens?bot=" + victim)).body().path("items").toString()).isEqualTo(tokensBefore);
        assertThat(send(botAdmin, get(cluster, "/v1/admin/deliveries/" + delivery)).status()).isEqualTo(404);
        assertThat(send(botAdmin, get(cluster, "/v1/admin/locks/bot:" + victim)).status()).isEqualTo(404);
        assertThat(send(botAdmin, get(cluster, "/v1/admin/bots/" + victim)).body().toString()).isEqualTo(botBefore);
    }

    @Test
    void aBotAdminCannotReachAnAdminsInstanceTokenOrDeliveryByItsId(LocalCluster cluster) throws Exception {
        HttpClient botAdmin = admin(cluster, AdminSpec.BOT_ADMIN);
        HttpClient caAdmin = admin(cluster, AdminSpec.CA_ADMIN);
        String victim = "reached-admin-" + suffix();
        AdminBootstrap.Bootstrapped bootstrapped = cluster.bootstrapAdmin(victim, AdminSpec.CA_ADMIN);
        HttpClient victimClient = cluster.httpClient(AdminIdentity.join(cluster.anonymousHttpClient(), cluster.url(Service.JOIN),
                victim, bootstrapped.token(), "1h"));
        assertThat(send(victimClient, get(cluster, "/v1/admin/bots")).status()).isEqualTo(200);
        String instance = await().atMost(Duration.ofSeconds(20)).until(() -> send(botAdmin, get(cluster,
                "/v1/admin/bot-instances?bot=" + victim)).body().path("items").path(0).path("instanceId").asText(), id -> !id.isEmpty());
        String loginToken = AdminBootstrap.tokenName(bootstrapped.token());

        // Locks that would lock the admin out, reached by instance id or join token name rather than bot:<name>.
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/locks", Map.of("target", "instance:" + instance, "reason", "coup"))));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/locks", Map.of("target", "join-token:" + loginToken, "reason", "coup"))));
        // A ca-admin's lock on the admin's instance stays: a bot-admin can neither delete it nor make it expire.
        String lockPath = "/v1/admin/locks/instance:" + instance;
        assertThat(send(caAdmin, post(cluster, "/v1/admin/locks", Map.of("target", "instance:" + instance, "reason", "revoked"))).status()).isEqualTo(201);
        Answer lock = send(botAdmin, get(cluster, lockPath));
        assertNeedsCaAdmin(send(botAdmin, request(cluster, lockPath, "DELETE", null)));
        assertNeedsCaAdmin(send(botAdmin, request(cluster, lockPath, "PUT", Map.of("target", "instance:" + instance, "reason", "revoked",
                "expires", "2020-01-01T00:00:00Z"), "If-Match", lock.raw().headers().firstValue("ETag").orElse("\"x\""))));
        assertThat(await().atMost(Duration.ofSeconds(20)).until(() -> send(victimClient, get(cluster, "/v1/admin/bots")),
                a -> a.status() != 200).code()).isEqualTo("LOCKED");

        // The admin's join token and delivery, by name and id: not deleted, not re-pointed to another bot.
        String other = Bots.newBot(cluster, List.of("deploy"));
        Answer token = send(caAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", victim, "ttl", "10m")));
        String tokenName = token.body().path("name").asText();
        String tokenPath = "/v1/admin/tokens/" + tokenName;
        Answer tokenRead = send(botAdmin, get(cluster, tokenPath));
        assertNeedsCaAdmin(send(botAdmin, request(cluster, tokenPath, "DELETE", null)));
        Map<String, Object> repointed = new java.util.HashMap<>(EventJson.MAPPER.convertValue(tokenRead.body(), Map.class));
        repointed.put("bot", other);
        assertNeedsCaAdmin(send(botAdmin, request(cluster, tokenPath, "PUT", repointed, "If-Match",
                tokenRead.raw().headers().firstValue("ETag").orElseThrow())));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/tokens", Map.of("name", tokenName, "bot", other,
                "joinMethod", "github", "ttl", "10m", "allow", List.of(Map.of("repository", "evil/repo"))))));
        assertThat(send(botAdmin, get(cluster, tokenPath)).body().path("bot").asText()).isEqualTo(victim);

        String delivery = "admin-delivery-" + suffix();
        Map<String, Object> spec = Map.of("id", delivery, "bot", victim, "output", Map.of("kind", "identity"),
                "destination", Map.of("type", "directory", "path", "/tmp/" + delivery));
        assertThat(send(caAdmin, post(cluster, "/v1/admin/deliveries", spec)).status()).isEqualTo(201);
        String deliveryPath = "/v1/admin/deliveries/" + delivery;
        Answer deliveryRead = send(botAdmin, get(cluster, deliveryPath));
        Map<String, Object> moved = new java.util.HashMap<>(spec);
        moved.put("bot", other);
        assertNeedsCaAdmin(send(botAdmin, request(cluster, deliveryPath, "DELETE", null)));
        assertNeedsCaAdmin(send(botAdmin, request(cluster, deliveryPath, "PUT", moved, "If-Match",
                deliveryRead.raw().headers().firstValue("ETag").orElseThrow())));
        assertNeedsCaAdmin(send(botAdmin, post(cluster, "/v1/admin/deliveries", moved)));
        assertThat(send(botAdmin, get(cluster, deliveryPath)).body().path("bot").asText()).isEqualTo(victim);
        assertThat(send(caAdmin, request(cluster, deliveryPath, "DELETE", null)).status()).isEqualTo(200);
    }

    @Test
    void joinTokensAndInstancesABotHadBeforeItWasMadeAnAdminLogNobodyInAsThatAdmin(LocalCluster cluster) throws Exception {
        HttpClient botAdmin = admin(cluster, AdminSpec.BOT_ADMIN);
        HttpClient caAdmin = admin(cluster, AdminSpec.CA_ADMIN);
        // Made in advance by a bot-admin, for a bot that is no admin's yet: allowed then.
        String carol = "future-admin-" + suffix();
        assertThat(send(botAdmin, post(cluster, "/v1/admin/bots", Map.of("name", carol, "roles", List.of(AdminBootstrap.ROLE)))).status()).isEqualTo(201);
        HttpClient carolsInstance = cluster.httpClient(AdminIdentity.join(cluster.anonymousHttpClient(), cluster.url(Service.JOIN), carol,
                send(botAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", carol, "ttl", "10m"))).body().path("token").asText(), "1h"));
        String kept = send(botAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", carol, "ttl", "10m"))).body().path("token").asText();
        String dave = "bootstrapped-later-" + suffix();
        String keptForDave = send(botAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", dave, "ttl", "10m"))).body().path("token").asText();
        assertThat(kept).isNotEmpty();
        assertThat(keptForDave).isNotEmpty();

        Answer added = send(caAdmin, post(cluster, "/v1/admin/admins", Map.of("name", carol, "roles", List.of(AdminSpec.CA_ADMIN))));
        assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
        assertThat(send(botAdmin, get(cluster, "/v1/admin/tokens?bot=" + carol)).body().path("items").size()).isZero();
        Bots.Answer joined = Bots.join(cluster, kept, Bots.newPublicKey());
        assertThat(joined.code()).as(joined.body().toString()).isEqualTo("TOKEN_NOT_FOUND");
        Answer locked = await().atMost(Duration.ofSeconds(20)).until(() -> send(carolsInstance, get(cluster, "/v1/admin/bots")),
                a -> a.status() != 200);
        assertThat(locked.status()).isEqualTo(403);
        assertThat(locked.code()).isEqualTo("LOCKED");

        // The same for an admin made by `sigil admin bootstrap`, straight on the bus.
        cluster.bootstrapAdmin(dave, AdminSpec.CA_ADMIN);
        String keptName = AdminBootstrap.tokenName(keptForDave);
        await().atMost(Duration.ofSeconds(20)).until(() -> send(botAdmin, get(cluster, "/v1/admin/admins/" + dave)).status() == 200
                && !send(botAdmin, get(cluster, "/v1/admin/tokens?bot=" + dave)).body().toString().contains(keptName));
        Bots.Answer daveJoined = Bots.join(cluster, keptForDave, Bots.newPublicKey());
        assertThat(daveJoined.code()).as(daveJoined.body().toString()).isEqualTo("TOKEN_NOT_FOUND");
    }

    @Test
    void aWriteRefusedBeforeAdmissionIsAuditedNamingTheCertificatesBot(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        HttpClient notAnAdmin = cluster.httpClient(AdminIdentity.join(cluster.anonymousHttpClient(), cluster.url(Service.JOIN), bot,
                Bots.admin(cluster).createToken(bot, "10m"), "1h"));
        Answer refused = send(notAnAdmin, post(cluster, "/v1/admin/locks", Map.of("target", "bot:" + LocalCluster.LAUNCHER_ADMIN, "reason", "coup")));
        assertThat(refused.status()).isEqualTo(403);

        JsonNode line = await().atMost(Duration.ofSeconds(20)).until(() -> auditLinesOf(cluster, bot), l -> !l.isEmpty()).get(0);
        assertThat(line.path("bot").asText()).isEqualTo(bot);
        assertThat(line.path("reasonCode").asText()).isEqualTo("ADMIN_ROLE_MISSING");
        assertThat(line.path("message").asText()).contains("POST /v1/admin/locks", "403", "refused before admission");
    }

    @Test
    void aJoinTokensAuditLineNamesTheBotItIsFor(LocalCluster cluster) throws Exception {
        String name = "token-auditor-" + suffix();
        HttpClient admin = admin(cluster, name, AdminSpec.BOT_ADMIN, "1h");
        String bot = Bots.newBot(cluster, List.of("deploy"));
        assertThat(send(admin, post(cluster, "/v1/admin/tokens", Map.of("name", "harmless", "bot", bot, "ttl", "10m"))).status()).isEqualTo(201);

        JsonNode line = await().atMost(Duration.ofSeconds(20)).until(() -> auditLinesOf(cluster, name), l -> !l.isEmpty()).get(0);
        assertThat(line.path("message").asText()).contains("POST /v1/admin/tokens", "for bot " + bot);
    }

    @Test
    void aCaAdminManagesAdminsAndMakesJoinTokensForAdminBots(LocalCluster cluster) throws Exception {
        HttpClient caAdmin = admin(cluster, AdminSpec.CA_ADMIN);
        String name = "second-admin-" + suffix();

        Answer added = send(caAdmin, post(cluster, "/v1/admin/admins", Map.of("name", name, "roles", List.of("bot-admin"))));
        assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
        assertThat(send(caAdmin, get(cluster, "/v1/admin/admins/" + name)).body().path("roles").toString()).isEqualTo("[\"bot-admin\"]");
        Answer token = send(caAdmin, post(cluster, "/v1/admin/tokens", Map.of("bot", LocalCluster.LAUNCHER_ADMIN, "ttl", "1m")));
        assertThat(token.status()).as(token.body().toString()).isEqualTo(201);
        Answer removed = send(caAdmin, HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/admin/admins/" + name)).DELETE().build());
        assertThat(removed.status()).as(removed.body().toString()).isEqualTo(200);
        assertThat(send(caAdmin, get(cluster, "/v1/admin/admins/" + name)).status()).isEqualTo(404);
    }

    @Test
    void aLockedAdminIsRefused(LocalCluster cluster) throws Exception {
        String name = "locked-admin-" + suffix();
        HttpClient locked = admin(cluster, name, AdminSpec.CA_ADMIN, "1h");
        assertThat(send(locked, get(cluster, "/v1/admin/bots")).status()).isEqualTo(200);

        Bots.admin(cluster).post("/v1/admin/locks", Map.of("target", "bot:" + name, "reason", "laptop stolen"));
        Answer refused = await().atMost(Duration.ofSeconds(20)).until(() -> send(locked, get(cluster, "/v1/admin/bots")),
                a -> a.status() != 200);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.code()).isEqualTo("LOCKED");
        assertThat(refused.body().path("message").asText()).contains("laptop stolen");
    }

    @Test
    void anExpiredAdminCertificateIsRefused(LocalCluster cluster) throws Exception {
        HttpClient shortLived = admin(cluster, "brief-admin-" + suffix(), AdminSpec.CA_ADMIN, "3s");
        Answer refused = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(shortLived, get(cluster, "/v1/admin/bots")), a -> a.status() != 200);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("ADMIN_UNAUTHENTICATED");
        assertThat(refused.body().path("message").asText()).contains("expired");
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedEvenNamingAnAdmin(LocalCluster cluster) throws Exception {
        // Self-signed, for the launcher's own admin bot, shaped like Sigil's: only the CA's signature makes it an admin's.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=bot-" + LocalCluster.LAUNCHER_ADMIN);
        X509Certificate forged = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(subject,
                BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plusSeconds(3600)), subject,
                keys.getPublic())
                .addExtension(new ASN1ObjectIdentifier(BotInstance.CERTIFICATE_EXTENSION_OID), false, new DERUTF8String(
                        EventJson.write(new BotInstance(UUID.randomUUID().toString(), 1, "token", "forged"))))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        HttpClient impostor = cluster.httpClient(new AdminIdentity(LocalCluster.LAUNCHER_ADMIN, keys.getPrivate(), forged));

        Answer refused = send(impostor, get(cluster, "/v1/admin/bots"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("ADMIN_UNAUTHENTICATED");
        assertThat(refused.body().path("message").asText()).contains("not issued by a CA this Sigil trusts");
    }

    @Test
    void aConsoleLinkWorksOnceAndItsCookieWritesOnlyWithTheConsoleHeader(LocalCluster cluster) throws Exception {
        String name = "console-admin-" + suffix();
        HttpClient admin = admin(cluster, name, AdminSpec.BOT_ADMIN, "1h");
        Answer link = send(admin, post(cluster, "/v1/admin/console-sessions", Map.of()));
        assertThat(link.status()).as(link.body().toString()).isEqualTo(201);
        String url = link.body().path("url").asText();
        assertThat(url).startsWith("https://" + cluster.url(Service.JOIN).getRawAuthority() + "/console/#link=");
        String secret = url.substring(url.indexOf("#link=") + 6);

        HttpClient browser = cluster.anonymousHttpClient();
        Answer opened = send(browser, post(cluster, "/console/session", Map.of("link", secret)));
        assertThat(opened.status()).as(opened.body().toString()).isEqualTo(200);
        assertThat(opened.body().path("admin").asText()).isEqualTo(name);
        String setCookie = opened.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("sigil-console=").contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/");
        long maxAge = Long.parseLong(setCookie.replaceAll(".*Max-Age=(\\d+).*", "$1"));
        assertThat(maxAge).isBetween(3500L, 3600L);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        Answer again = send(browser, post(cluster, "/console/session", Map.of("link", secret)));
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.code()).isEqualTo("CONSOLE_LINK_INVALID");

        Answer whoAmI = send(browser, HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/v1/admin/whoami")).header("Cookie", cookie).build());
        assertThat(whoAmI.body().path("admin").asText()).isEqualTo(name);
        assertThat(whoAmI.body().path("via").asText()).isEqualTo("console");
        Map<String, String> lock = Map.of("target", "bot:console-locked-" + suffix(), "reason", "from the console");
        Answer withoutHeader = send(browser, post(cluster, "/v1/admin/locks", lock, "Cookie", cookie));
        assertThat(withoutHeader.status()).isEqualTo(403);
        assertThat(withoutHeader.code()).isEqualTo("CONSOLE_HEADER_MISSING");
        Answer withHeader = send(browser, post(cluster, "/v1/admin/locks", lock, "Cookie", cookie, "X-Sigil-Console", "1"));
        assertThat(withHeader.status()).as(withHeader.body().toString()).isEqualTo(201);
        // The session carries the admin's roles, no more: a bot-admin's console cannot write roles.
        Answer role = send(browser, post(cluster, "/v1/admin/roles", Map.of("name", "r-" + suffix(), "logins", List.of("x")),
                "Cookie", cookie, "X-Sigil-Console", "1"));
        assertThat(role.code()).isEqualTo("ADMIN_ROLE_MISSING");
        // A console session cannot make console links: that takes the certificate.
        assertThat(send(browser, post(cluster, "/v1/admin/console-sessions", Map.of(), "Cookie", cookie, "X-Sigil-Console", "1")).status())
                .isEqualTo(401);
    }

    @Test
    void everyAdminWriteIsAuditedWithTheAdminWhoMadeIt(LocalCluster cluster) throws Exception {
        String name = "audited-admin-" + suffix();
        HttpClient admin = admin(cluster, name, AdminSpec.BOT_ADMIN, "1h");
        String target = "bot:audited-" + suffix();
        assertThat(send(admin, post(cluster, "/v1/admin/locks", Map.of("target", target, "reason", "audit me"))).status()).isEqualTo(201);

        JsonNode line = await().atMost(Duration.ofSeconds(20)).until(() -> auditLinesOf(cluster, name), l -> !l.isEmpty()).get(0);
        assertThat(line.path("event").asText()).isEqualTo("admin-write");
        assertThat(line.path("admin").asText()).isEqualTo(name);
        assertThat(line.path("message").asText()).contains("POST /v1/admin/locks", target, "201");
        assertThat(line.path("roles").toString()).contains("bot-admin");
    }

    private static List<JsonNode> auditLinesOf(LocalCluster cluster, String admin) {
        List<JsonNode> lines = new ArrayList<>();
        TopicReader.readAll(cluster.kafkaClient(), List.of(Topics.AUDIT), true, Duration.ofSeconds(20), r -> {
            if (admin.equals(r.key()) && r.value() != null && r.value().contains("\"admin-write\"")) {
                try {
                    lines.add(EventJson.MAPPER.readTree(r.value()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        return lines;
    }

    /** A fresh ca-admin (the victim) that join-service already knows as an admin; it never logs in. */
    private static String adminBot(LocalCluster cluster, HttpClient reader) throws Exception {
        String name = "victim-admin-" + suffix();
        cluster.bootstrapAdmin(name, AdminSpec.CA_ADMIN);
        await().atMost(Duration.ofSeconds(20)).until(() -> send(reader, get(cluster, "/v1/admin/admins/" + name)).status() == 200
                && send(reader, get(cluster, "/v1/admin/bots/" + name)).status() == 200);
        return name;
    }

    /** {@code body} as JSON with one more field, {@code "x"}, whose value is the single byte 0xFF: not UTF-8. */
    private static HttpRequest postWithByteFF(LocalCluster cluster, String path, Map<String, Object> body) {
        Map<String, Object> withX = new java.util.LinkedHashMap<>(body);
        withX.put("x", "@@");
        byte[] json = EventJson.write(withX).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < json.length; i++) {
            if (json[i] == '@' && json[i + 1] == '@') {
                bytes.write(0xFF);
                i++;
            } else {
                bytes.write(json[i]);
            }
        }
        return HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes.toByteArray())).build();
    }

    private static void assertNeedsCaAdmin(Answer answer) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(403);
        assertThat(answer.code()).isEqualTo("ADMIN_ROLE_MISSING");
        assertThat(answer.body().path("message").asText()).contains("needs the admin role ca-admin");
    }

    /** A fresh admin with the role, bootstrapped and logged in (joined as its bot); its client presents its certificate. */
    private static HttpClient admin(LocalCluster cluster, String role) throws Exception {
        return admin(cluster, role + "-" + suffix(), role, "1h");
    }

    private static HttpClient admin(LocalCluster cluster, String name, String role, String ttl) throws Exception {
        AdminBootstrap.Bootstrapped bootstrapped = cluster.bootstrapAdmin(name, role);
        return cluster.httpClient(AdminIdentity.join(cluster.anonymousHttpClient(), cluster.url(Service.JOIN), name,
                bootstrapped.token(), ttl));
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static HttpRequest get(LocalCluster cluster, String path) {
        return HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).build();
    }

    private static HttpRequest post(LocalCluster cluster, String path, Object body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(EventJson.write(body)));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request.build();
    }

    private static HttpRequest request(LocalCluster cluster, String path, String method, Object body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(EventJson.write(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request.build();
    }

    private static Answer send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String text = response.body().strip();
        JsonNode body = text.startsWith("{") ? EventJson.MAPPER.readTree(text)
                : EventJson.MAPPER.createObjectNode().put("notJson", text.substring(0, Math.min(300, text.length())));
        return new Answer(response.statusCode(), body, response);
    }
}
