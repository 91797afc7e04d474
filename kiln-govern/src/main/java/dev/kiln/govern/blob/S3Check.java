package dev.kiln.govern.blob;

import java.util.Locale;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The start-up check of an S3 store, and short reasons for the service's failures. */
final class S3Check {
  private S3Check() {}

  /**
   * Asks for the bucket once, so a wrong bucket, refused credentials or an endpoint that cannot be reached stop the
   * server at start rather than at its first push.
   *
   * @throws StoreConfigException naming the flag or variable to fix
   */
  static void bucket(S3Client s3, String bucket, String location, String endpoint) {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      String fix =
          switch (e.statusCode()) {
            case 404 -> "bucket " + bucket + " does not exist: create it or fix --store";
            case 401, 403 ->
                "access to bucket "
                    + bucket
                    + " denied (HTTP "
                    + e.statusCode()
                    + "): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
            case 301, 307, 400 -> "bucket " + bucket + " refused the request: " + reason(e) + "; check --store-region";
            default -> reason(e) + "; check --store and --store-endpoint";
          };
      throw new StoreConfigException("artifact store " + location + ": " + fix, e);
    } catch (SdkClientException e) {
      String fix =
          String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("credentials")
              ? "no credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
              : "cannot reach " + endpoint + ": " + reason(e) + "; check --store-endpoint or AWS_ENDPOINT_URL";
      throw new StoreConfigException("artifact store " + location + ": " + fix, e);
    }
  }

  /** One short line: the service's status and error code, else the innermost cause (e.g. "Connection refused"). */
  static String reason(SdkException e) {
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      return "HTTP " + s.statusCode() + " " + s.awsErrorDetails().errorCode();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().findFirst().orElse("").strip();
  }
}
