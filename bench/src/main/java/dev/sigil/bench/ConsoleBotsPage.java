package dev.sigil.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import com.fasterxml.jackson.databind.JsonNode;

import dev.sigil.contract.BotInstance;
import dev.sigil.contract.BotInstanceStatus;
import dev.sigil.contract.BotSpec;
import dev.sigil.contract.EventJson;
import dev.sigil.contract.Topics;
import dev.sigil.deploy.AdminClient;
import dev.sigil.deploy.LocalCluster;
import dev.sigil.deploy.Service;

/**
 * How long the web console's bot page takes to load with 10,000 bots and 100,000 bot instances. The bots and
 * instances are written straight to {@code sigil.bots} and {@code sigil.bot-instances} (as the admin API and the
 * issuer would write them) with the launcher's operator Kafka client, since creating them through joins would take
 * far longer than what is measured. Then, signed in with a console link in headless Chromium, in alternating order
 * each round, each a fresh page load (a new query string, so the browser loads the document, script and style anew):
 * <ul>
 * <li>the bots page ({@code #bots}): navigation start to the bots table rendered (the page's own
 * {@code performance.mark('sigil-bots-rendered')}, set after the first 100 bots are in the table)</li>
 * <li>one bot's page ({@code #bot/<name>}): navigation start to its 10 instances rendered</li>
 * <li>the API call alone, as the baseline: {@code GET /v1/admin/bots?limit=100} from this warm JVM over an open mTLS
 * connection; and the last page ({@code after=} the 9,900th bot)</li>
 * </ul>
 * For the page loads it also prints how long the browser's own {@code /v1/admin/bots} fetch took (Resource Timing).
 * Prints median and min-max in milliseconds.
 *
 * <pre>mvn -q -pl bench exec:java -Dexec.mainClass=dev.sigil.bench.ConsoleBotsPage -Dexec.args="10000 10 25"</pre>
 * (bots, instances per bot, measured runs).
 */
public final class ConsoleBotsPage {
    private static final String[] VARIANTS = { "bots page: navigation start -> bots table rendered",
            "bot page: navigation start -> its instances rendered", "API alone: GET /v1/admin/bots?limit=100 (first page)",
            "API alone: GET /v1/admin/bots?limit=100 (last page)" };

    public static void main(String[] args) throws Exception {
        int bots = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perBot = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        Path chromium = Path.of("/usr/bin/chromium");
        Path chromedriver = Path.of("/usr/bin/chromedriver");
        if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
            throw new IllegalStateException("needs Chromium: apt-get install chromium chromium-driver");
        }
        Path root = LocalCluster.sourceRoot().toAbsolutePath();
        Path work = Files.createTempDirectory("sigil-console-bench");
        try (LocalCluster cluster = new LocalCluster(root, work.resolve("sigil"), "bench.sigil.test").start()) {
            AdminClient admin = new AdminClient(cluster);
            admin.createRole("bench", List.of("bench"));
            long written = System.nanoTime();
            write(cluster, bots, perBot);
            System.out.printf("wrote %,d bots and %,d bot instances to %s and %s in %.1f s%n", bots, bots * perBot, Topics.BOTS,
                    Topics.BOT_INSTANCES, (System.nanoTime() - written) / 1e9);

            long seen = System.nanoTime();
            int listed = countBots(admin);
            int instances = admin.get("/v1/admin/bot-instances?limit=1000&bot=" + botName(bots / 2)).path("items").size();
            if (listed < bots || instances != perBot) {
                throw new IllegalStateException("join-service lists " + listed + " bots and " + instances + " instances of one bot");
            }
            System.out.printf("join-service lists all of them (checked in %.1f s)%n", (System.nanoTime() - seen) / 1e9);
            String lastCursor = botName(bots - 101);

            ChromeDriver browser = chromium(cluster, work, chromium, chromedriver);
            try {
                String link = admin.post("/v1/admin/console-sessions", Map.of()).path("url").asText();
                browser.get(link);
                waitFor(browser, "#whoami", el -> !el.isEmpty());
                String console = cluster.url(Service.JOIN).resolve("/console/").toString();
                String oneBot = botName(bots / 2);

                double[][] times = new double[VARIANTS.length][rounds];
                double[] browserFetch = new double[rounds];
                for (int round = -5; round < rounds; round++) {
                    for (int i = 0; i < VARIANTS.length; i++) {
                        int variant = Math.floorMod(i + round, VARIANTS.length);
                        double ms;
                        switch (variant) {
                            case 0 -> {
                                ms = pageLoad(browser, console + "?run=" + UUID.randomUUID() + "#bots", "#bots-table[data-rendered]",
                                        "sigil-bots-rendered");
                                int rows = browser.findElements(By.cssSelector("#bots-table tbody tr")).size();
                                if (rows != 100) {
                                    throw new IllegalStateException("the bots page showed " + rows + " rows, not 100");
                                }
                                if (round >= 0) {
                                    browserFetch[round] = fetchDuration(browser, "/v1/admin/bots?");
                                }
                            }
                            case 1 -> {
                                ms = pageLoad(browser, console + "?run=" + UUID.randomUUID() + "#bot/" + oneBot,
                                        "#instances-table[data-rendered]", "sigil-bot-rendered");
                                int rows = browser.findElements(By.cssSelector("#instances-table tbody tr")).size();
                                if (rows != perBot) {
                                    throw new IllegalStateException("the bot page showed " + rows + " instances, not " + perBot);
                                }
                            }
                            case 2 -> ms = apiCall(admin, "/v1/admin/bots?limit=100");
                            default -> ms = apiCall(admin, "/v1/admin/bots?limit=100&after=" + lastCursor);
                        }
                        if (round >= 0) {
                            times[variant][round] = ms;
                        }
                    }
                }
                System.out.println();
                System.out.printf("== the console's bot page with %,d bots and %,d bot instances, %d runs each (median, min-max, ms) ==%n",
                        bots, bots * perBot, rounds);
                System.out.printf("commit %s; %s; %s; %d cores%n", commit(root), System.getProperty("java.vm.version"),
                        browser.getCapabilities().getBrowserName() + " " + browser.getCapabilities().getBrowserVersion(),
                        Runtime.getRuntime().availableProcessors());
                for (int v = 0; v < VARIANTS.length; v++) {
                    System.out.printf("  %-58s %s%n", VARIANTS[v], spread(times[v]));
                }
                System.out.printf("  %-58s %s%n", "  of which the page's own GET /v1/admin/bots (Resource Timing)", spread(browserFetch));
                System.out.printf("  (%d instances on the bot's page; the machine's load average at the end: %s)%n", perBot,
                        Files.readString(Path.of("/proc/loadavg")).trim());
                System.out.println("Reproduce: mvn -B -q -DskipTests install && mvn -q -pl bench exec:java "
                        + "-Dexec.mainClass=dev.sigil.bench.ConsoleBotsPage -Dexec.args=\"" + bots + " " + perBot + " " + rounds + "\"");
            } finally {
                browser.quit();
            }
        }
        System.exit(0);
    }

    static String botName(int i) {
        return String.format("bot-%05d", i);
    }

    /** The bots and their instances, each as its writer would put it on the bus (key: bot name, instance id). */
    private static void write(LocalCluster cluster, int bots, int perBot) throws Exception {
        Map<String, Object> settings = new HashMap<>(cluster.kafkaClient());
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        Instant now = Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(settings, new StringSerializer(), new StringSerializer())) {
            for (int b = 0; b < bots; b++) {
                String bot = botName(b);
                producer.send(new ProducerRecord<>(Topics.BOTS, bot, EventJson.write(new BotSpec(bot, List.of("bench"),
                        Map.of("logins", List.of("deploy")), null))));
                for (int i = 0; i < perBot; i++) {
                    String id = UUID.randomUUID().toString();
                    long generation = 1 + i % 5;
                    BotInstance instance = new BotInstance(id, generation, "token", "bench-" + b);
                    List<BotInstanceStatus.Authentication> seen = List.of(
                            new BotInstanceStatus.Authentication(now.minusSeconds(3600), "join", "token", 1, UUID.randomUUID().toString()),
                            new BotInstanceStatus.Authentication(now.minusSeconds(60), "renew", "token", generation, UUID.randomUUID().toString()));
                    producer.send(new ProducerRecord<>(Topics.BOT_INSTANCES, id,
                            EventJson.write(new BotInstanceStatus(bot, instance, null, generation == 1 ? seen.subList(0, 1) : seen))));
                }
            }
            producer.flush();
        }
    }

    private static int countBots(AdminClient admin) throws Exception {
        int count = 0;
        String after = null;
        do {
            JsonNode page = admin.get("/v1/admin/bots?limit=1000" + (after == null ? "" : "&after=" + after));
            count += page.path("items").size();
            after = page.path("next").isTextual() ? page.path("next").asText() : null;
        } while (after != null);
        return count;
    }

    private static ChromeDriver chromium(LocalCluster cluster, Path work, Path chromium, Path chromedriver) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        String spki = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(cluster.caPin().substring("sha256:".length())));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createDirectories(work.resolve("chromium")), "--ignore-certificate-errors-spki-list=" + spki);
        System.setProperty("webdriver.chrome.driver", chromedriver.toString());
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build(), options);
    }

    /** Loads the URL and returns the page's mark (ms since its navigation started) once the element is there. */
    private static double pageLoad(ChromeDriver browser, String url, String rendered, String mark) {
        browser.get(url);
        waitFor(browser, rendered, el -> true);
        Object at = ((JavascriptExecutor) browser).executeScript(
                "const m = performance.getEntriesByName(arguments[0]); return m.length ? m[m.length - 1].startTime : null;", mark);
        if (at == null) {
            throw new IllegalStateException("the page set no mark " + mark);
        }
        return ((Number) at).doubleValue();
    }

    private static double fetchDuration(ChromeDriver browser, String path) {
        Object ms = ((JavascriptExecutor) browser).executeScript("const r = performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes(arguments[0])); return r.length ? r[r.length - 1].duration : null;", path);
        return ms == null ? Double.NaN : ((Number) ms).doubleValue();
    }

    private static void waitFor(ChromeDriver browser, String css, java.util.function.Predicate<String> text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var found = browser.findElements(By.cssSelector(css));
            if (!found.isEmpty() && text.test(found.get(0).getText())) {
                return;
            }
            try {
                Thread.sleep(5); // polling the DOM; the time measured is the page's own mark, not this loop's
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(css + " did not appear within 60 s at " + browser.getCurrentUrl());
    }

    private static double apiCall(AdminClient admin, String path) throws Exception {
        long start = System.nanoTime();
        JsonNode page = admin.get(path);
        double ms = (System.nanoTime() - start) / 1e6;
        if (page.path("items").size() != 100) {
            throw new IllegalStateException(path + " answered " + page.path("items").size() + " bots");
        }
        return ms;
    }

    private static String spread(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format("%7.1f (%.1f-%.1f)", sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }

    private static String commit(Path root) throws Exception {
        if (System.getProperty("sigil.commit") != null) {
            return System.getProperty("sigil.commit");
        }
        Process git = new ProcessBuilder("git", "-C", root.toString(), "describe", "--always", "--dirty").start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return git.waitFor() == 0 ? out : "unknown";
    }
}
