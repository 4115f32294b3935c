package dev.sigil.output.agent.proof;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

import dev.sigil.output.agent.JoinClient;

/**
 * The {@code iam} proof: an {@code sts:GetCallerIdentity} request that carries Sigil's challenge in the signed header
 * {@code X-Sigil-Challenge}, signed with SigV4 by the AWS SDK's own signer, with whatever credentials the SDK's
 * default chain finds (environment, profile, container or instance role). join-service forwards the signed request
 * to STS, which says whose credentials signed it; the credentials themselves never leave this machine.
 * <p>
 * The STS endpoint is {@code AWS_ENDPOINT_URL_STS} (or {@code AWS_ENDPOINT_URL}) when set, as in every AWS SDK,
 * else the regional endpoint of the SDK's region ({@code AWS_REGION}, profile, instance metadata), else the global one.
 */
final class AwsIamProof implements ProofSource {
    /** The only body join-service forwards. */
    static final String BODY = "Action=GetCallerIdentity&Version=2011-06-15";
    static final String CHALLENGE_HEADER = "X-Sigil-Challenge";
    private static final String GLOBAL_REGION = "us-east-1";

    /** Where the endpoint settings are read; the credentials come from the SDK's chain, which reads the process's own. */
    private final UnaryOperator<String> env;
    private final AwsCredentialsProvider credentials;

    AwsIamProof(UnaryOperator<String> env) {
        this(env, DefaultCredentialsProvider.builder().build());
    }

    AwsIamProof(UnaryOperator<String> env, AwsCredentialsProvider credentials) {
        this.env = env;
        this.credentials = credentials;
    }

    @Override
    public JoinProof prove(Challenges challenges)
            throws IOException, InterruptedException, JoinClient.JoinRefusedException, ProofUnavailableException {
        // Credentials first: without them there is no point asking Sigil for a challenge.
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials(); // fresh each join: the chain refreshes expiring role credentials
        } catch (SdkClientException e) {
            throw new ProofUnavailableException("join method iam needs AWS credentials and the AWS SDK found none (give "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a container or instance role): "
                    + e.getMessage(), e);
        }
        String challenge = challenges.fresh();
        return JoinProof.sts(challenge, sign(identity, challenge));
    }

    /** A GetCallerIdentity carrying {@code challenge}, signed: its headers (with Host and Authorization) and its body. */
    JoinProof.StsRequest sign(AwsCredentials identity, String challenge) {
        String region = region();
        URI endpoint = endpoint(region);
        String signingRegion = region != null ? region : GLOBAL_REGION;
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint.resolve("/"))
                .putHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .putHeader("Accept", "application/json") // STS answers JSON when asked; join-service reads JSON
                .putHeader(CHALLENGE_HEADER, challenge)
                .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(request)
                .payload(ContentStreamProvider.fromUtf8String(BODY))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion));
        Map<String, String> headers = new LinkedHashMap<>();
        signed.request().headers().forEach((name, values) -> headers.put(name, String.join(",", values)));
        return new JoinProof.StsRequest(headers, BODY);
    }

    /** The endpoint the request is signed for; join-service sends it there only if it is on its allow-list. */
    URI endpoint(String region) {
        String override = firstSet("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL");
        if (override != null) {
            return URI.create(override.trim());
        }
        if (region == null) {
            return URI.create("https://sts.amazonaws.com");
        }
        var metadata = Region.of(region).metadata();
        return URI.create("https://sts." + region + "." + (metadata != null ? metadata.domain() : "amazonaws.com"));
    }

    /** The SDK's region (environment, profile, instance metadata), or null: then the global endpoint, signed for us-east-1. */
    private String region() {
        String configured = firstSet("AWS_REGION", "AWS_DEFAULT_REGION");
        if (configured != null) {
            return configured.trim();
        }
        if (firstSet("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL") != null) {
            return null; // a given endpoint: no need to ask instance metadata
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        } catch (SdkClientException e) {
            return null;
        }
    }

    private String firstSet(String... names) {
        for (String name : names) {
            String value = env.apply(name);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
