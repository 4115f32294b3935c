package dev.sigil.join.joinmethod.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sigil.contract.JoinTokenSpec;
import dev.sigil.join.api.RefusalException;
import dev.sigil.join.join.JoinTokenView;
import dev.sigil.join.joinmethod.Challenges;
import dev.sigil.join.joinmethod.JoinRequest;
import dev.sigil.join.joinmethod.VerifiedJoin;

/** The iam join method against a loopback STS that checks SigV4 signatures, as AWS's does. */
class IamJoinMethodTest {
    private final FakeSts sts = start();
    private final JoinTokenView tokens = new JoinTokenView();
    private final Challenges challenges = new Challenges(Optional.of("challenge-key-for-tests"));
    private final IamJoinMethod iam = new IamJoinMethod(tokens, challenges, List.of("https://sts.amazonaws.com", sts.url()));

    IamJoinMethodTest() {
        JoinTokenSpec token = new JoinTokenSpec("aws-runners", "aws-bot", "iam", null,
                List.of(Map.of("aws_account", FakeSts.ACCOUNT, "aws_arn", "arn:aws:sts::123456789012:assumed-role/ci-runner/*")), Map.of());
        iam.checkToken(token);
        tokens.remember(token);
    }

    @Test
    void aRequestSignedForSigilsChallengeJoinsAsTheTokensBot() {
        String challenge = challenges.issue();
        VerifiedJoin join = iam.verify(request(challenge, signed(sts.host(), challenge, FakeSts.SECRET_KEY), IamJoinMethod.BODY));

        assertThat(join.bot()).isEqualTo("aws-bot");
        assertThat(join.attestation().proofId()).isEqualTo("challenge:" + challenge);
        assertThat(join.attestation().proofExpires()).isAfter(Instant.now());
    }

    @Test
    void refusesARequestStsRejects() {
        String challenge = challenges.issue();
        assertRefused(request(challenge, signed(sts.host(), challenge, "not-the-secret"), IamJoinMethod.BODY), "STS_REJECTED");
    }

    @Test
    void neverSendsTheRequestToAHostNotOnTheAllowList() {
        String challenge = challenges.issue();
        int before = sts.requests.get();
        assertRefused(request(challenge, signed("sts.attacker.example", challenge, FakeSts.SECRET_KEY), IamJoinMethod.BODY),
                "STS_ENDPOINT_NOT_ALLOWED");
        assertThat(sts.requests.get()).isEqualTo(before);
    }

    @Test
    void refusesAChallengeThatIsUnsignedForeignOrMissing() {
        String challenge = challenges.issue();
        Map<String, String> withoutChallenge = FakeSts.sign(sts.host(), IamJoinMethod.BODY, Map.of(), FakeSts.SECRET_KEY);
        withoutChallenge.put("X-Sigil-Challenge", challenge); // present but not signed
        assertRefused(request(challenge, withoutChallenge, IamJoinMethod.BODY), "STS_REQUEST_INVALID");

        String foreign = new Challenges(Optional.of("another-sigil")).issue();
        assertRefused(request(foreign, signed(sts.host(), foreign, FakeSts.SECRET_KEY), IamJoinMethod.BODY), "CHALLENGE_INVALID");
        assertRefused(request(null, signed(sts.host(), challenge, FakeSts.SECRET_KEY), IamJoinMethod.BODY), "CHALLENGE_INVALID");
    }

    @Test
    void refusesAnythingButGetCallerIdentity() {
        String challenge = challenges.issue();
        String assumeRole = "Action=AssumeRole&Version=2011-06-15";
        Map<String, String> headers = FakeSts.sign(sts.host(), assumeRole, Map.of("X-Sigil-Challenge", challenge), FakeSts.SECRET_KEY);
        assertRefused(request(challenge, headers, assumeRole), "STS_REQUEST_INVALID");
    }

    @Test
    void refusesAnIdentityNoRuleAllows() {
        tokens.remember(new JoinTokenSpec("aws-other", "aws-bot", "iam", null, List.of(Map.of("aws_account", "999999999999")), Map.of()));
        String challenge = challenges.issue();
        JoinRequest request = new JoinRequest("iam", "aws-other", null, challenge, null,
                new JoinRequest.StsRequest(signed(sts.host(), challenge, FakeSts.SECRET_KEY), IamJoinMethod.BODY), "ssh-ed25519 AAAA", null);
        assertRefused(request, "ALLOW_RULES_NOT_MATCHED");
    }

    private static Map<String, String> signed(String host, String challenge, String secret) {
        return new HashMap<>(FakeSts.sign(host, IamJoinMethod.BODY, Map.of("X-Sigil-Challenge", challenge), secret));
    }

    private static JoinRequest request(String challenge, Map<String, String> headers, String body) {
        return new JoinRequest("iam", "aws-runners", null, challenge, null, new JoinRequest.StsRequest(headers, body),
                "ssh-ed25519 AAAA", null);
    }

    private void assertRefused(JoinRequest request, String code) {
        assertThatThrownBy(() -> iam.verify(request)).isInstanceOfSatisfying(RefusalException.class,
                e -> assertThat(e.refusal().code()).isEqualTo(code));
    }

    private static FakeSts start() {
        try {
            return new FakeSts();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sts.close();
    }
}
