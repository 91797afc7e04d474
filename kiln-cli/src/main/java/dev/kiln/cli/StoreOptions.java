package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import dev.kiln.govern.blob.StoreLocation;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where model artifacts are stored ({@code kiln serve}, {@code kiln master-key rewrap}): the data folder by default, or
 * an S3-compatible bucket. Endpoint, region and credentials otherwise come from the usual AWS variables.
 */
final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "LOCATION",
      description =
          "Where model artifacts are stored: s3://bucket[/prefix] (any S3-compatible service; replicas share it),"
              + " file:/path or a folder (default: the folder artifacts/ in the data directory).")
  String store;

  @Option(
      names = "--store-endpoint",
      paramLabel = "URL",
      description =
          "The S3 service's URL (default: $AWS_ENDPOINT_URL_S3, else $AWS_ENDPOINT_URL, else AWS), e.g."
              + " http://minio:9000")
  URI endpoint;

  @Option(
      names = "--store-region",
      description =
          "The bucket's region (default: $AWS_REGION, else us-east-1 with an endpoint, else the AWS profile).")
  String region;

  @Option(
      names = "--store-path-style",
      arity = "0..1",
      paramLabel = "true|false",
      description =
          "Path-style bucket addressing (http://host/bucket), as MinIO and s3proxy need (default: on when an endpoint"
              + " is given).")
  Boolean pathStyle;

  /** Refuses a malformed --store, and S3 flags without an S3 store. */
  void check(CommandLine cli) {
    try {
      location(Path.of("."));
    } catch (IllegalArgumentException | KilnException e) {
      throw new ParameterException(cli, e.getMessage());
    }
  }

  /**
   * The store for {@code dataDir}; credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile.
   *
   * @throws IllegalArgumentException S3 flags without an S3 store ({@link #check} says it as a usage error)
   */
  StoreLocation location(Path dataDir) {
    StoreLocation at =
        store == null ? new StoreLocation.Folder(dataDir.resolve("artifacts")) : StoreLocation.parse(store);
    if (!(at instanceof StoreLocation.S3 s3)) {
      if (endpoint != null || region != null || pathStyle != null) {
        throw new IllegalArgumentException(
            "--store-endpoint, --store-region and --store-path-style need --store s3://bucket[/prefix]");
      }
      return at;
    }
    if (endpoint != null) {
      s3 = s3.withEndpoint(endpoint);
    }
    if (region != null) {
      s3 = s3.withRegion(region);
    }
    return pathStyle == null ? s3 : s3.withPathStyle(pathStyle);
  }
}
