package dev.sigil.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.sigil.contract.EventJson;

/**
 * The agent joins with method iam as it would in an AWS job: credentials only in the AWS SDK's environment
 * variables, the STS endpoint from AWS_ENDPOINT_URL_STS (the loopback STS, which checks the SigV4 signature with its
 * own secret key), and nothing else. join-service forwards the signed request; STS's answer decides who the bot is.
 */
@ExtendWith(SigilCluster.class)
class AgentIamJoinEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void aJobWithAwsCredentialsGetsTheIdentityOfTheBotItsRoleIsAllowedFor(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = iamToken(cluster, bot, "arn:aws:sts::" + AwsStsStandIn.ACCOUNT + ":assumed-role/ci-deploy/*");
        int answered = SigilCluster.STS.answers.size();
        Path out = dir.resolve("identity");

        LocalCluster.ProcessResult agent = join(cluster, token, out, AwsStsStandIn.SECRET_KEY);

        assertThat(agent.exitCode()).as(agent.stderr()).isZero();
        assertThat(agent.stdout()).contains("wrote the identity of bot " + bot + " ").contains("logins deploy");
        // STS saw the agent's signed request, checked its signature, and it carried a Sigil challenge.
        List<AwsStsStandIn.Answer> answers = SigilCluster.STS.answers.subList(answered, SigilCluster.STS.answers.size());
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).code()).isEqualTo("OK");
        assertThat(answers.get(0).challenge()).isNotBlank();
        Bots.Run subject = Bots.run("openssl", "x509", "-noout", "-subject", "-ext", "subjectAltName", "-in",
                out.resolve("tlscert").toString());
        assertThat(subject.output()).contains("CN = bot-" + bot).contains("URI:spiffe://e2e.sigil.test/bot/" + bot);
        assertThat(Bots.run("ssh-keygen", "-L", "-f", out.resolve("key-cert.pub").toString()).output())
                .contains("Key ID: \"bot-" + bot + "/");
    }

    @Test
    void aRequestSignedWithTheWrongSecretKeyIsRefusedByStsAndTheJoinWithIt(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = iamToken(cluster, bot, "arn:aws:sts::" + AwsStsStandIn.ACCOUNT + ":assumed-role/ci-deploy/*");
        int answered = SigilCluster.STS.answers.size();

        LocalCluster.ProcessResult agent = join(cluster, token, dir.resolve("identity"), "not" + AwsStsStandIn.SECRET_KEY.substring(3));

        assertThat(agent.exitCode()).as(agent.stdout() + agent.stderr()).isEqualTo(2);
        assertThat(agent.stderr()).contains("join refused (STS_REJECTED)");
        assertThat(SigilCluster.STS.answers.subList(answered, SigilCluster.STS.answers.size()))
                .extracting(AwsStsStandIn.Answer::code).containsExactly("SignatureDoesNotMatch");
        assertThat(dir.resolve("identity")).doesNotExist();
    }

    @Test
    void aRoleTheJoinTokenDoesNotAllowIsRefused(LocalCluster cluster) throws Exception {
        String bot = Bots.newBot(cluster, List.of("deploy"));
        String token = iamToken(cluster, bot, "arn:aws:sts::" + AwsStsStandIn.ACCOUNT + ":assumed-role/release/*");

        LocalCluster.ProcessResult agent = join(cluster, token, dir.resolve("identity"), AwsStsStandIn.SECRET_KEY);

        assertThat(agent.exitCode()).as(agent.stdout() + agent.stderr()).isEqualTo(2);
        assertThat(agent.stderr()).contains("join refused (ALLOW_RULES_NOT_MATCHED)").contains(AwsStsStandIn.ARN);
    }

    @Test
    void withoutAwsCredentialsTheAgentSaysWhereItLooked(LocalCluster cluster) throws Exception {
        Map<String, String> env = isolatedAwsEnvironment();
        env.remove("AWS_ACCESS_KEY_ID");
        LocalCluster.ProcessResult agent = cluster.runAgent(env, "start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(),
                "--ca-pin", cluster.caPin(), "--join-method", "iam", "--token", "no-such-token", "--destination",
                dir.resolve("identity").toString());

        assertThat(agent.exitCode()).isEqualTo(1);
        assertThat(agent.stderr()).contains("cannot get the iam proof").contains("AWS_ACCESS_KEY_ID");
    }

    private LocalCluster.ProcessResult join(LocalCluster cluster, String token, Path out, String secretKey) throws Exception {
        Map<String, String> env = isolatedAwsEnvironment();
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        return cluster.runAgent(env, "start", "--oneshot", "--join-url", cluster.url(Service.JOIN).toString(), "--ca-pin",
                cluster.caPin(), "--join-method", "iam", "--token", token, "--destination", out.toString(), "--credential-ttl", "10m");
    }

    /**
     * What an AWS job's environment holds (role session credentials, region, the STS endpoint), and nothing of this
     * machine's own AWS setup: no profile files, no instance metadata.
     */
    private Map<String, String> isolatedAwsEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", AwsStsStandIn.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", AwsStsStandIn.SECRET_KEY);
        env.put("AWS_SESSION_TOKEN", AwsStsStandIn.SESSION_TOKEN);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ENDPOINT_URL_STS", SigilCluster.STS.url());
        env.put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    private static String iamToken(LocalCluster cluster, String bot, String arnGlob) throws Exception {
        String name = "aws-" + UUID.randomUUID().toString().substring(0, 8);
        Bots.Answer created = Bots.post(cluster, "/v1/admin/tokens", EventJson.write(Map.of("name", name, "bot", bot,
                "joinMethod", "iam", "allow", List.of(Map.of("aws_account", AwsStsStandIn.ACCOUNT, "aws_arn", arnGlob)))),
                null);
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        return name;
    }
}
