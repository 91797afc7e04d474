package dev.kiln.govern.blob;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Files as objects of an S3-compatible service under {@code prefix}. A PUT is atomic on S3 (an object appears whole or
 * not at all), so a put is one PUT of the finished local file; a read downloads into an owner-only scratch file that is
 * deleted when its channel closes, since the cipher reads by position. Any failure of the service becomes {@code
 * KilnException} UNAVAILABLE naming the store (503 with Retry-After), and the next call simply tries again.
 */
public final class S3Blobs implements BlobStore {
  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final Path scratch;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param prefix empty, or ending in {@code /}
   * @param scratch a local owner-only folder for downloads
   */
  S3Blobs(S3Client s3, String bucket, String prefix, Path scratch) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    this.scratch = scratch;
  }

  @Override
  public String location() {
    return "s3://" + bucket + "/" + prefix;
  }

  @Override
  public Path scratch() {
    return scratch;
  }

  @Override
  public void put(String key, Path file) {
    try {
      call("write " + key, () -> s3.putObject(b -> b.bucket(bucket).key(prefix + key), RequestBody.fromFile(file)));
    } finally {
      OwnerOnlyFiles.deleteQuietly(file);
    }
  }

  @Override
  public Optional<SeekableByteChannel> open(String key) throws IOException {
    Path part = scratch.resolve(hex() + ".get");
    FileChannel channel = OwnerOnlyFiles.createPart(part, StandardOpenOption.DELETE_ON_CLOSE);
    try {
      OutputStream out = Channels.newOutputStream(channel);
      boolean found =
          call(
              "read " + key,
              () -> {
                try {
                  s3.getObject(b -> b.bucket(bucket).key(prefix + key), ResponseTransformer.toOutputStream(out));
                  return true;
                } catch (NoSuchKeyException e) {
                  return false;
                }
              });
      if (!found) {
        channel.close();
        return Optional.empty();
      }
      channel.position(0);
      return Optional.of(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public boolean delete(String key) {
    boolean existed = head(key).isPresent();
    call("delete " + key, () -> s3.deleteObject(b -> b.bucket(bucket).key(prefix + key)));
    return existed;
  }

  @Override
  public List<String> keys() {
    return call(
        "list",
        () -> {
          List<String> keys = new ArrayList<>();
          for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            keys.add(o.key().substring(prefix.length()));
          }
          return keys;
        });
  }

  @Override
  public Optional<Instant> lastModified(String key) {
    return head(key).map(HeadObjectResponse::lastModified);
  }

  private Optional<HeadObjectResponse> head(String key) {
    return call(
        "read " + key,
        () -> {
          try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(prefix + key)));
          } catch (NoSuchKeyException e) {
            return Optional.empty();
          } catch (S3Exception e) {
            if (e.statusCode() == 404) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  private <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (SdkException e) {
      throw KilnException.retryable(
          ErrorKind.UNAVAILABLE,
          "artifact store " + location() + " is unavailable (" + what + "): " + S3Check.reason(e),
          RETRY_AFTER);
    }
  }

  private String hex() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
