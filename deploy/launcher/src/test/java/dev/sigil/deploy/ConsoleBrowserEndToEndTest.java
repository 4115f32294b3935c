package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The web console in a real headless Chromium against the shared Sigil, signed in the way an admin does it: a
 * one-time console link made with the admin's certificate, opened in the browser. Each test asserts what the page
 * shows after real joins and admin writes, and checks the API agrees; a screenshot of each ends up in
 * target/console-screenshots. Chromium trusts join-service's certificate by the service CA's key pin only
 * (--ignore-certificate-errors-spki-list), as agents do. Skipped when Chromium or chromedriver is not installed.
 */
@ExtendWith(SigilCluster.class)
class ConsoleBrowserEndToEndTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** Markup in a value only an admin's words can carry: it must reach the page as these very characters. */
    static final String HOSTILE = "<img src=x onerror=\"document.title='pwned'\">";
    static final Duration WAIT = Duration.ofSeconds(20);

    static WebDriver browser;
    static Path profile;
    static URI console;

    @BeforeAll
    static void openConsole(LocalCluster cluster) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium is not installed (apt-get install chromium chromium-driver): the web console's browser tests are skipped");
        browser = startChromium(cluster);
        console = cluster.url(Service.JOIN).resolve("/console/");
        signIn(cluster);
    }

    /** As an admin who ran `sigil console`: a link that works once, opened in the browser. */
    static void signIn(LocalCluster cluster) throws Exception {
        String link = Bots.admin(cluster).post("/v1/admin/console-sessions", Map.of()).path("url").asText();
        assertThat(link).startsWith(console.toString() + "#link=");
        browser.get(link);
        try {
            await().atMost(WAIT).ignoreExceptions().until(() -> !text("#whoami").isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("sign-in.png"),
                    StandardCopyOption.REPLACE_EXISTING);
            String page = browser.getPageSource();
            throw new AssertionError("the console did not sign in at " + browser.getCurrentUrl() + " (title '" + browser.getTitle()
                    + "'): " + page.substring(0, Math.min(page.length(), 2000)), e);
        }
        assertThat(browser.getCurrentUrl()).as("the secret leaves the address bar").doesNotContain("link=");
    }

    static WebDriver startChromium(LocalCluster cluster) throws IOException {
        profile = Files.createTempDirectory("sigil-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Trust exactly the certificates that chain to Sigil's service CA: the pin is SHA-256 of its public key.
        String spki = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(cluster.caPin().substring("sha256:".length())));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                "--user-data-dir=" + profile, "--ignore-certificate-errors-spki-list=" + spki);
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new ChromeDriver(service, options);
    }

    @AfterEach
    void screenshot(TestInfo test) throws IOException {
        if (browser != null) {
            Files.createDirectories(SCREENSHOTS);
            File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aBotThatJoinedWithTheAgentIsListedWithItsInstanceGenerationJoinMethodAndFleetCounts(LocalCluster cluster,
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        LocalCluster.ProcessResult joined = Bots.agentJoin(cluster, dir.resolve("identity"), bot);
        assertThat(joined.exitCode()).as(joined.stderr()).isZero();

        open("#bots");
        WebElement filter = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.name("role")), e -> true);
        filter.sendKeys(bot + "-role");
        browser.findElement(By.xpath("//form[.//input[@name='role']]//button")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> rows("#bots-table").size() == 1
                && rows("#bots-table").get(0).getAttribute("data-bot").equals(bot));
        assertThat(text("#bots-table tbody tr")).contains(bot).contains(bot + "-role").contains("logins: deploy");
        assertThat(text("#main")).as("no stray values").doesNotContain("null").doesNotContain("undefined");

        browser.findElement(By.linkText(bot)).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> rows("#instances-table").size() == 1);
        WebElement instance = rows("#instances-table").get(0);
        assertThat(instance.findElement(By.cssSelector(".generation")).getText()).isEqualTo("1");
        assertThat(instance.findElement(By.cssSelector(".join-method")).getText()).isEqualTo("token");
        JsonNode api = Bots.admin(cluster).get("/v1/admin/bot-instances?bot=" + bot);
        assertThat(instance.getAttribute("data-instance")).isEqualTo(api.at("/items/0/instanceId").asText());

        // renewal-service counts every few seconds and publishes to sigil.fleet; the page shows what join-service read.
        await().atMost(Duration.ofSeconds(40)).ignoreExceptions().until(() -> {
            browser.navigate().refresh();
            return await().atMost(WAIT).ignoreExceptions().until(() -> text("#bot-fleet [data-state=fresh] b"), t -> !t.isEmpty()).equals("1");
        });
        open("#fleet");
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("fleet-table")).isDisplayed());
        assertThat(Long.parseLong(text("#fleet-totals [data-state=fresh] b"))).isPositive();
    }

    @Test
    void aLockMadeOnThePageIsInTheApiWithItsReasonShownAsTextAndUnlockRemovesIt(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String target = "bot:" + bot;
        open("#locks");
        WebElement form = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("lock-form")), e -> true);
        form.findElement(By.cssSelector("select[name=kind] option[value=bot]")).click();
        form.findElement(By.name("name")).sendKeys(bot);
        form.findElement(By.name("reason")).sendKeys(HOSTILE);
        form.findElement(By.tagName("button")).click();

        WebElement row = await().atMost(WAIT).ignoreExceptions().until(
                () -> browser.findElement(By.cssSelector("#locks-table tr[data-target='" + target + "']")), e -> true);
        assertThat(Bots.admin(cluster).get("/v1/admin/locks/" + target).path("reason").asText()).isEqualTo(HOSTILE);
        assertThat(row.findElements(By.tagName("td")).get(1).getText()).isEqualTo(HOSTILE);
        assertThat(browser.findElements(By.cssSelector("#locks-table img"))).as("markup stays text").isEmpty();
        assertThat(browser.getTitle()).isEqualTo("Sigil console");
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

        row.findElement(By.cssSelector("button.unlock")).click();
        await().atMost(WAIT).ignoreExceptions().until(
                () -> browser.findElements(By.cssSelector("#locks-table tr[data-target='" + target + "']")).isEmpty());
        assertThatThrownBy(() -> Bots.admin(cluster).get("/v1/admin/locks/" + target)).hasMessageContaining("404");
    }

    @Test
    void theAuditPageShowsAnAdminWriteLiveWithoutReloading(LocalCluster cluster) throws Exception {
        open("#audit");
        await().atMost(WAIT).ignoreExceptions().until(() -> text("#audit-status").equals("live"));
        Object marker = ((ChromeDriver) browser).executeScript("return window.performance.timeOrigin");

        String bot = Bots.newBot(cluster, List.of("deploy"));
        await().atMost(WAIT).ignoreExceptions().until(() -> rows("#audit-table").stream().anyMatch(r -> r.getText().contains(bot)));
        assertThat(((ChromeDriver) browser).executeScript("return window.performance.timeOrigin")).as("the same page, not reloaded")
                .isEqualTo(marker);
        String line = rows("#audit-table").stream().map(WebElement::getText).filter(t -> t.contains(bot)).findFirst().orElseThrow();
        assertThat(line).as("the admin who wrote it").contains(adminName());
    }

    @Test
    void aRefusalWhoseMessageCarriesMarkupIsShownOnTheAuditPageAsText(LocalCluster cluster) throws Exception {
        AdminClient admin = Bots.admin(cluster);
        String bot = Bots.newBot(cluster, List.of("deploy"));
        admin.post("/v1/admin/locks", Map.of("target", "bot:" + bot, "reason", HOSTILE));
        try {
            open("#audit");
            await().atMost(WAIT).ignoreExceptions().until(() -> text("#audit-status").equals("live"));
            // The issuer refuses the join with the lock's reason in its sentence, and audits that sentence.
            await().atMost(WAIT).until(() -> Bots.join(cluster, admin.createToken(bot, "10m"), Bots.newPublicKey()).code(), "LOCKED"::equals);
            WebElement refused = await().atMost(WAIT).ignoreExceptions().until(() -> rows("#audit-table").stream()
                    .filter(r -> r.getText().contains(bot) && r.getText().contains("LOCKED")).findFirst().orElseThrow(), r -> true);
            assertThat(refused.getText()).contains(HOSTILE);
            assertThat(browser.findElements(By.cssSelector("#audit-table img"))).as("markup stays text").isEmpty();
            assertThat(browser.getTitle()).isEqualTo("Sigil console");
        } finally {
            admin.delete("/v1/admin/locks/bot:" + bot);
        }
    }

    @Test
    void theWizardCreatesAGithubJoinTokenAndEndsWithTheWorkflowStepToPaste(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String name = "gh-" + UUID.randomUUID().toString().substring(0, 8);
        open("#tokens");
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.cssSelector("[data-platform=github]")), e -> true).click();
        WebElement form = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("token-form")), e -> true);
        form.findElement(By.name("bot")).sendKeys(bot);
        form.findElement(By.name("name")).sendKeys(name);
        form.findElement(By.name("repository")).sendKeys("acme/app");
        form.findElement(By.name("ref")).sendKeys("refs/heads/main");
        form.findElement(By.tagName("button")).click();

        String snippet = await().atMost(WAIT).ignoreExceptions().until(() -> text("#snippet"), t -> !t.isEmpty());
        String joinUrl = cluster.url(Service.JOIN).toString().replaceAll("/$", "");
        assertThat(snippet).contains("permissions:\n  id-token: write")
                .contains("uses: ").contains("integrations/github-action")
                .contains("join-url: " + joinUrl + "\n")
                .contains("token: " + name + "\n")
                .contains("ca-pin: " + cluster.caPin());
        JsonNode token = Bots.admin(cluster).get("/v1/admin/tokens/" + name);
        assertThat(text("#main")).as("no stray values").doesNotContain("null").doesNotContain("undefined");
        assertThat(token.path("joinMethod").asText()).isEqualTo("github");
        assertThat(token.path("bot").asText()).isEqualTo(bot);
        assertThat(token.at("/allow/0/repository").asText()).isEqualTo("acme/app");

        browser.findElement(By.cssSelector("[data-platform=gitlab]")).click();
        String gitlabName = "gl-" + UUID.randomUUID().toString().substring(0, 8);
        form = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("token-form")), e -> e.findElements(By.name("project_path")).size() == 1);
        form.findElement(By.name("bot")).sendKeys(bot);
        form.findElement(By.name("name")).sendKeys(gitlabName);
        form.findElement(By.name("project_path")).sendKeys("acme/web");
        form.findElement(By.tagName("button")).click();
        String job = await().atMost(WAIT).ignoreExceptions().until(() -> text("#snippet"), t -> t.contains(gitlabName));
        assertThat(job).contains("extends: .sigil-auth").contains("SIGIL_TOKEN: " + gitlabName + "\n")
                .contains("SIGIL_JOIN_URL: " + joinUrl + "\n");
    }

    @Test
    void theConsoleIsServedWithAPolicyThatAllowsOnlyItsOwnScriptsAndHasNoInlineScript(LocalCluster cluster) throws Exception {
        HttpResponse<String> page = cluster.anonymousHttpClient().send(HttpRequest.newBuilder(cluster.url(Service.JOIN).resolve("/console/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("script-src 'self'").contains("default-src 'none'").contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval"));
        assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(page.body()).contains("<script src=\"console.js\" defer></script>").doesNotContainPattern("<script(?![^>]*\\ssrc=)")
                .doesNotContain(" onclick=").doesNotContain(" onload=");
    }

    @Test
    void aLinkOpenedWhileSignedInAsksBeforeReplacingTheSession(LocalCluster cluster) throws Exception {
        String admin = adminName();
        String link = Bots.admin(cluster).post("/v1/admin/console-sessions", Map.of()).path("url").asText();
        // A fresh load, as when a link is opened from elsewhere (only the hash changing would not reload the page).
        browser.get(link.replace("/console/#", "/console/?load=" + UUID.randomUUID() + "#"));
        WebElement question = await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("switch-question")),
                e -> e.isDisplayed());
        assertThat(question.getText()).contains("signed in as " + admin);
        assertThat(browser.getCurrentUrl()).as("the secret leaves the address bar").doesNotContain("link=");

        browser.findElement(By.id("switch-session")).click();
        await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElement(By.id("bots-table")).isDisplayed());
        assertThat(adminName()).isEqualTo(admin);
        assertThat(browser.findElement(By.id("error")).isDisplayed()).as("the link was exchanged once, without error").isFalse();
    }

    private static String adminName() {
        return text("#whoami").replaceAll(" \\(.*", "");
    }

    /** Loads the console afresh (a new query string, so the browser reloads rather than only changing the hash). */
    private static void open(String hash) {
        browser.get(console + "?load=" + UUID.randomUUID() + hash);
    }

    private static List<WebElement> rows(String table) {
        return browser.findElements(By.cssSelector(table + " tbody tr"));
    }

    private static String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }
}
