package dev.kiln.govern.blob;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the S3 client of a {@link StoreLocation.S3} from its flags and the usual AWS environment variables. */
final class S3Clients {
  private S3Clients() {}

  static S3Blobs open(StoreLocation.S3 at, Map<String, String> env, Path scratch) {
    Optional<URI> endpoint =
        at.endpoint()
            .or(() -> Optional.ofNullable(env.get("AWS_ENDPOINT_URL_S3")).map(URI::create))
            .or(() -> Optional.ofNullable(env.get("AWS_ENDPOINT_URL")).map(URI::create));
    S3ClientBuilder builder =
        S3Client.builder()
            // The JDK's own HTTP client: no Netty or Apache client in the server jar.
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(60)))
            // A fresh chain per store (not the SDK's shared one), so what it found is not cached across stores.
            .credentialsProvider(DefaultCredentialsProvider.builder().build())
            .region(Region.of(at.region().orElseGet(() -> defaultRegion(env, endpoint.isPresent()))))
            .forcePathStyle(at.pathStyle().orElse(endpoint.isPresent()))
            // Artifacts carry their own per-chunk authentication and SHA-256; the SDK's extra checksums only narrow
            // which S3-compatible services work.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    endpoint.ifPresent(builder::endpointOverride);
    S3Client s3 = builder.build();
    try {
      S3Check.bucket(s3, at.bucket(), at.toString(), endpoint.map(URI::toString).orElse("AWS S3"));
    } catch (RuntimeException e) {
      s3.close();
      throw e;
    }
    return new S3Blobs(s3, at.bucket(), at.prefix(), scratch);
  }

  /**
   * {@code AWS_REGION}; else, for another service than AWS (which mostly ignores it), {@code us-east-1}; else the SDK's
   * chain (the profile, the instance's metadata).
   */
  private static String defaultRegion(Map<String, String> env, boolean endpoint) {
    String region = env.getOrDefault("AWS_REGION", env.get("AWS_DEFAULT_REGION"));
    if (region != null && !region.isBlank()) {
      return region;
    }
    if (endpoint) {
      return "us-east-1";
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion().id();
    } catch (SdkClientException e) {
      return "us-east-1";
    }
  }
}
