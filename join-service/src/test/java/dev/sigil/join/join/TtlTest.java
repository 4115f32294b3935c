package dev.sigil.join.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.sigil.join.api.RefusalException;
import dev.sigil.join.renew.RenewResource;

/** {@code /v1/join} and {@code /v1/renew} refuse a zero or negative {@code ttl} alike, before anything else. */
class TtlTest {

    @ParameterizedTest
    @ValueSource(strings = {"\"0s\"", "0", "\"PT0S\"", "\"PT-1H\"", "-60"})
    void joinRefusesATtlThatIsNotPositive(String ttl) {
        assertMalformed(() -> new JoinResource().join("{\"joinMethod\":\"token\",\"token\":\"t\",\"publicKey\":\"ssh-ed25519 AAAA\",\"ttl\":" + ttl + "}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"0s\"", "0", "\"PT0S\"", "\"PT-1H\"", "-60"})
    void renewRefusesATtlThatIsNotPositive(String ttl) {
        assertMalformed(() -> new RenewResource().renew("{\"certificate\":\"x\",\"challenge\":\"c\",\"signature\":\"s\","
                + "\"publicKey\":\"ssh-ed25519 AAAA\",\"ttl\":" + ttl + "}"));
    }

    private static void assertMalformed(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(RefusalException.class, e -> {
            assertThat(e.refusal().code()).isEqualTo("MALFORMED_REQUEST");
            assertThat(e.refusal().message()).contains("ttl must be positive");
        });
    }
}
