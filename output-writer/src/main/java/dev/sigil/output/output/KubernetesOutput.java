package dev.sigil.output.output;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import dev.sigil.output.destination.OutputFile;

/**
 * The {@code kubernetes} output: a {@code kubeconfig.yaml} with the client certificate, its key and the CA embedded,
 * so {@code KUBECONFIG=kubeconfig.yaml kubectl ...} needs no other file. The client certificate comes from Sigil's
 * Kubernetes CA, which the API server must trust for client certificates (and only that CA: a bot or database
 * certificate is no Kubernetes user); the same CA is named as the server's, as before the CAs were split.
 */
final class KubernetesOutput {
    static final String DEFAULT_SERVER = "https://kubernetes.default.svc";

    static List<OutputFile> render(Credentials c, String server) {
        String cluster = c.ca().clusterName();
        String user = "sigil-bot-" + c.bot();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("apiVersion", "v1");
        config.put("kind", "Config");
        config.put("clusters", List.of(Map.of("name", cluster, "cluster", Map.of(
                "server", server == null ? DEFAULT_SERVER : server,
                "certificate-authority-data", base64(Outputs.pemBundle(c.trustedTlsCas()))))));
        config.put("users", List.of(Map.of("name", user, "user", Map.of(
                "client-certificate-data", base64(c.tlsCertificate()),
                "client-key-data", base64(c.key().pkcs8PrivateKey())))));
        config.put("contexts", List.of(Map.of("name", cluster, "context", Map.of("cluster", cluster, "user", user))));
        config.put("current-context", cluster);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String yaml = "# Sigil kubeconfig of bot " + c.bot() + ", valid until " + c.validBefore() + ".\n"
                + new Yaml(options).dump(config);
        return List.of(new OutputFile("kubeconfig.yaml", yaml, true));
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    private KubernetesOutput() {
    }
}
