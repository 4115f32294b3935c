package dev.sigil.output.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.output.agent.proof.ProofSettings;

/** A tbot v2 file's onboarding section configures the proof source as the flags do. */
class AgentConfigTest {
    @TempDir
    Path dir;

    @Test
    void onboardingNamesTheMethodAudienceGitlabVariableTokenPathAndPinsAsTbotDoes() throws Exception {
        AgentConfig config = AgentConfig.load(Files.writeString(dir.resolve("tbot.yaml"), """
                version: v2
                auth_server: sigil.example.com:8443
                onboarding:
                  join_method: gitlab
                  token: gitlab-deploy
                  ca_pins: ["sha256:abcd"]
                  audience: sigil.example.com
                  gitlab:
                    token_env_var_name: MY_ID_TOKEN
                  kubernetes:
                    token_path: /run/tokens/sigil
                storage:
                  type: directory
                  path: /var/lib/sigil
                """));

        ProofSettings proof = config.proofSettings();
        assertThat(proof.joinMethod()).isEqualTo("gitlab");
        assertThat(proof.audience()).isEqualTo("sigil.example.com");
        assertThat(proof.gitlabIdTokenVar()).isEqualTo("MY_ID_TOKEN");
        assertThat(proof.kubernetesTokenPath()).isEqualTo(Path.of("/run/tokens/sigil"));
        assertThat(proof.storage()).isEqualTo(Path.of("/var/lib/sigil"));
        assertThat(config.caPins).isEqualTo(List.of("sha256:abcd"));
        assertThat(config.token).isEqualTo("gitlab-deploy");
    }

    @Test
    void withoutAnAudienceTheMethodsDefaultIsAskedFor() throws Exception {
        AgentConfig config = AgentConfig.load(Files.writeString(dir.resolve("tbot.yaml"), """
                onboarding:
                  join_method: github
                  token: gh
                """));

        assertThat(config.proofSettings().audienceOr(ProofSettings.DEFAULT_CLUSTER_AUDIENCE)).isEqualTo("sigil.local");
        assertThat(config.proofSettings().storage()).as("memory storage is no directory").isNull();
    }

    @Test
    void aMisspelledOnboardingKeyIsRefusedWithItsPlace() throws Exception {
        Path file = Files.writeString(dir.resolve("tbot.yaml"), """
                onboarding:
                  join_method: gitlab
                  gitlab:
                    token_env_var: MY_ID_TOKEN
                """);

        assertThatThrownBy(() -> AgentConfig.load(file)).hasMessageContaining("unknown setting onboarding.gitlab.token_env_var");
    }
}
