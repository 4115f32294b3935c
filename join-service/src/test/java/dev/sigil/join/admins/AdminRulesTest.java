package dev.sigil.join.admins;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.sigil.contract.AdminSpec;
import dev.sigil.contract.EventJson;

class AdminRulesTest {
    @Test
    void readsNeedReadOnly() {
        for (String path : new String[] { "/v1/admin/bots", "/v1/admin/roles/x", "/v1/admin/ca", "/v1/admin/admins", "/v1/admin/audit" }) {
            assertThat(AdminRules.roleNeeded("GET", path)).as(path).isEqualTo(AdminSpec.READ_ONLY);
        }
    }

    @Test
    void writesToTheFleetNeedBotAdmin() {
        for (String path : new String[] { "/v1/admin/bots", "/v1/admin/bots/ci", "/v1/admin/tokens", "/v1/admin/locks/bot:x",
                "/v1/admin/deliveries", "/v1/admin/bot-instances/ci/i-1" }) {
            assertThat(AdminRules.roleNeeded("POST", path)).as(path).isEqualTo(AdminSpec.BOT_ADMIN);
            assertThat(AdminRules.roleNeeded("DELETE", path)).as(path).isEqualTo(AdminSpec.BOT_ADMIN);
        }
    }

    @Test
    void writesToRolesTheCaAdminsAndAnythingUnnamedNeedCaAdmin() {
        for (String path : new String[] { "/v1/admin/roles", "/v1/admin/leaf-clusters/l", "/v1/admin/ca/rotation",
                "/v1/admin/admins", "/v1/admin/something-new", "/v1/admin/botsx" }) {
            assertThat(AdminRules.roleNeeded("PUT", path)).as(path).isEqualTo(AdminSpec.CA_ADMIN);
        }
    }

    @Test
    void theBotAWriteConcernsComesFromThePathOrTheBody() throws Exception {
        assertThat(AdminRules.botConcerned("PUT", "/v1/admin/bots/ci", null)).contains("ci");
        assertThat(AdminRules.botConcerned("POST", "/v1/admin/bots", EventJson.MAPPER.readTree("{\"name\":\"ci\"}"))).contains("ci");
        assertThat(AdminRules.botConcerned("POST", "/v1/admin/tokens", EventJson.MAPPER.readTree("{\"bot\":\"ci\"}"))).contains("ci");
        assertThat(AdminRules.botConcerned("POST", "/v1/admin/deliveries", EventJson.MAPPER.readTree("{\"bot\":\"ci\"}"))).contains("ci");
        assertThat(AdminRules.botConcerned("POST", "/v1/admin/locks", EventJson.MAPPER.readTree("{\"target\":\"bot:ci\"}"))).contains("ci");
        assertThat(AdminRules.botConcerned("DELETE", "/v1/admin/locks/bot:ci", null)).contains("ci");
        assertThat(AdminRules.botConcerned("POST", "/v1/admin/locks", EventJson.MAPPER.readTree("{\"target\":\"instance:i\"}"))).isEmpty();
        assertThat(AdminRules.botConcerned("GET", "/v1/admin/bots/ci", null)).isEmpty();
    }

    @Test
    void aWriteReachesExistingTokensDeliveriesAndInstancesByNameInThePathTheBodyOrALockTarget() throws Exception {
        assertThat(AdminRules.references("DELETE", "/v1/admin/tokens/t1", null)).containsExactly(new AdminRules.Reference("join-token", "t1"));
        assertThat(AdminRules.references("POST", "/v1/admin/tokens", EventJson.MAPPER.readTree("{\"name\":\"t1\",\"bot\":\"ci\"}")))
                .containsExactly(new AdminRules.Reference("join-token", "t1"));
        assertThat(AdminRules.references("PUT", "/v1/admin/deliveries/d1", EventJson.MAPPER.readTree("{\"id\":\"d2\"}")))
                .containsExactly(new AdminRules.Reference("delivery", "d1"), new AdminRules.Reference("delivery", "d2"));
        assertThat(AdminRules.references("DELETE", "/v1/admin/locks/instance:i-1", null)).containsExactly(new AdminRules.Reference("instance", "i-1"));
        assertThat(AdminRules.references("POST", "/v1/admin/locks", EventJson.MAPPER.readTree("{\"target\":\"join-token:t1\"}")))
                .containsExactly(new AdminRules.Reference("join-token", "t1"));
        assertThat(AdminRules.references("POST", "/v1/admin/locks", EventJson.MAPPER.readTree("{\"target\":\"bot:ci\"}"))).isEmpty();
        assertThat(AdminRules.references("GET", "/v1/admin/tokens/t1", null)).isEmpty();
    }

    @Test
    void theAccessCheckRefusesABodyTheEndpointCouldReadDifferently() throws Exception {
        assertThat(AdminAccess.parse("{\"bot\":\"a\",\"x\":\"\uFFFD\"}").path("bot").asText()).isEqualTo("a");
        for (String body : new String[] { "{\"bot\":\"a\",\"bot\":\"b\"}", "{\"bot\":\"a\"} {\"bot\":\"b\"}", "{\"bot\":" }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminAccess.parse(body)).as(body).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void eachRoleIncludesTheWeakerOnes() {
        AdminSpec caAdmin = new AdminSpec("a", java.util.List.of(AdminSpec.CA_ADMIN));
        AdminSpec readOnly = new AdminSpec("b", java.util.List.of(AdminSpec.READ_ONLY));
        assertThat(caAdmin.has(AdminSpec.READ_ONLY)).isTrue();
        assertThat(caAdmin.has(AdminSpec.BOT_ADMIN)).isTrue();
        assertThat(readOnly.has(AdminSpec.BOT_ADMIN)).isFalse();
        assertThat(new AdminSpec("c", java.util.List.of("root")).has(AdminSpec.READ_ONLY)).isFalse();
    }
}
