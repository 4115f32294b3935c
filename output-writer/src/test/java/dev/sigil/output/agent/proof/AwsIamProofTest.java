package dev.sigil.output.agent.proof;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Which STS endpoint the iam proof signs for, and what join-service needs signed; STS itself is in the end-to-end test. */
class AwsIamProofTest {
    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "session-token"));

    @Test
    void signsForTheRegionalEndpointOfTheSdksRegion() throws Exception {
        JoinProof proof = proof(Map.of("AWS_REGION", "eu-central-1"));

        Map<String, String> headers = proof.stsRequest().headers();
        assertThat(headers).containsEntry("Host", "sts.eu-central-1.amazonaws.com");
        assertThat(headers.get("Authorization")).contains("/eu-central-1/sts/aws4_request");
    }

    @Test
    void signsForAChinaRegionInItsOwnDomain() throws Exception {
        assertThat(proof(Map.of("AWS_REGION", "cn-north-1")).stsRequest().headers())
                .containsEntry("Host", "sts.cn-north-1.amazonaws.com.cn");
    }

    @Test
    void awsEndpointUrlStsOverridesTheEndpointAsInEveryAwsSdk() throws Exception {
        JoinProof proof = proof(Map.of("AWS_REGION", "eu-west-1", "AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"));

        assertThat(proof.stsRequest().headers()).containsEntry("Host", "127.0.0.1:4566");
        assertThat(proof.stsRequest().headers().get("Authorization")).contains("/eu-west-1/sts/aws4_request");
    }

    @Test
    void theChallengeTheSessionTokenAndTheHostAreSignedAndTheBodyIsGetCallerIdentity() throws Exception {
        JoinProof proof = proof(Map.of("AWS_REGION", "us-west-2"));

        assertThat(proof.challenge()).isEqualTo("the-challenge");
        assertThat(proof.stsRequest().body()).isEqualTo("Action=GetCallerIdentity&Version=2011-06-15");
        Map<String, String> headers = proof.stsRequest().headers();
        assertThat(headers).containsEntry("X-Sigil-Challenge", "the-challenge").containsEntry("X-Amz-Security-Token", "session-token");
        assertThat(headers.get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/");
        assertThat(signedHeaders(headers.get("Authorization"))).contains("host", "x-sigil-challenge", "x-amz-security-token",
                "x-amz-date");
        assertThat(String.join(" ", headers.values())).doesNotContain("secret");
    }

    private static JoinProof proof(Map<String, String> env) throws Exception {
        return new AwsIamProof(env::get, CREDENTIALS).prove(() -> "the-challenge");
    }

    private static List<String> signedHeaders(String authorization) {
        return Arrays.stream(authorization.split(",")).map(String::trim).filter(p -> p.startsWith("SignedHeaders="))
                .flatMap(p -> Arrays.stream(p.substring("SignedHeaders=".length()).split(";"))).toList();
    }
}
