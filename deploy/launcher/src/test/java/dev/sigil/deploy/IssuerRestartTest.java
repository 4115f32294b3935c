package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** issuer-service killed with -9 comes back with the same CA and still remembers which tokens were used. */
@ExtendWith(SigilCluster.class)
class IssuerRestartTest {

    @Test
    void restartKeepsTheCaAndTheUsedTokens(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String used = Bots.admin(cluster).createToken(bot, "10m");
        Bots.Answer before = Bots.join(cluster, used, Bots.newPublicKey());
        assertThat(before.status()).isEqualTo(200);
        String fresh = Bots.admin(cluster).createToken(bot, "10m");

        cluster.restart(Service.ISSUER);

        Bots.Answer after = Bots.join(cluster, fresh, Bots.newPublicKey());
        assertThat(after.status()).as(after.body().toString()).isEqualTo(200);
        assertThat(after.body().get("ca")).isEqualTo(before.body().get("ca"));
        Bots.Answer reused = Bots.join(cluster, used, Bots.newPublicKey());
        assertThat(reused.code()).isEqualTo("TOKEN_ALREADY_USED");
    }
}
