package dev.sigil.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * A release download site on loopback serving the packaged agent as {@code mvn package} left it in agent/target:
 * {@code /sigil/<version>/sigil-agent.jar} and {@code /sigil/<version>/sigil-agent}; anything else is 404.
 */
final class AgentDownloads implements AutoCloseable {
    static final String VERSION = "0.1.0-SNAPSHOT";
    static final List<String> FILES = List.of("sigil-agent.jar", "sigil-agent");

    private final Path target;
    private final HttpServer server;
    /** The paths asked for, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    AgentDownloads(Path root) throws IOException {
        target = root.resolve("agent/target");
        for (String file : FILES) {
            if (!Files.isRegularFile(target.resolve(file))) {
                throw new IllegalStateException(target.resolve(file) + " is missing: package the agent module first (mvn package)");
            }
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                requests.add(path);
                String prefix = "/sigil/" + VERSION + "/";
                String name = path.startsWith(prefix) ? path.substring(prefix.length()) : "";
                if (!FILES.contains(name)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] bytes = Files.readAllBytes(target.resolve(name));
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
    }

    /** The agent-url a user would give: {@code {version}} stands for the version. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/sigil/{version}";
    }

    /** What {@code sha256sum sigil-agent.jar sigil-agent} prints for the served files. */
    String sha256sums() throws IOException {
        StringBuilder sums = new StringBuilder();
        for (String file : FILES) {
            sums.append(sha256(Files.readAllBytes(target.resolve(file)))).append("  ").append(file).append('\n');
        }
        return sums.toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
