package dev.kiln.govern.blob;

import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the artifact store keeps its files, from {@code kiln serve --store}: a local folder (the default, {@code
 * <data>/artifacts}) or a bucket of an S3-compatible service.
 */
public sealed interface StoreLocation {
  /**
   * Opens the store, checking that it can be used; {@code dataDir} holds the local scratch folder of a remote store.
   */
  BlobStore open(Path dataDir);

  /** {@code s3://bucket[/prefix]}, {@code file:/path} or a plain path. */
  static StoreLocation parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    if (spec.startsWith("s3://")) {
      return S3.parse(spec);
    }
    if (spec.startsWith("file:")) {
      return new Folder(Path.of(URI.create(spec)));
    }
    return new Folder(Path.of(spec));
  }

  /** A local folder: {@code objects/} and {@code tmp/} under {@code root}. */
  record Folder(Path root) implements StoreLocation {
    public Folder {
      Objects.requireNonNull(root, "root");
    }

    @Override
    public BlobStore open(Path dataDir) {
      return FolderBlobs.open(root);
    }
  }

  /**
   * A bucket of an S3-compatible service.
   *
   * @param prefix where under the bucket the keys go: empty, or ending in {@code /}
   * @param endpoint empty: {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else AWS itself
   * @param region empty: the SDK's default chain ({@code AWS_REGION}, the profile), else {@code us-east-1}
   * @param pathStyle empty: path-style addressing when an endpoint is given (s3proxy, MinIO), else virtual-hosted
   */
  record S3(String bucket, String prefix, Optional<URI> endpoint, Optional<String> region, Optional<Boolean> pathStyle)
      implements StoreLocation {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3 {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(pathStyle, "pathStyle");
      if (!BUCKET.matcher(bucket).matches()) {
        throw KilnException.invalid("--store: invalid bucket name " + bucket + " (expected: s3://bucket[/prefix])");
      }
      if (!prefix.isEmpty() && !prefix.endsWith("/")) {
        throw new IllegalArgumentException("prefix must be empty or end in /");
      }
    }

    static S3 parse(String spec) {
      String rest = spec.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
      return new S3(bucket, prefix.isEmpty() ? "" : prefix + "/", Optional.empty(), Optional.empty(), Optional.empty());
    }

    public S3 withEndpoint(URI uri) {
      return new S3(bucket, prefix, Optional.of(uri), region, pathStyle);
    }

    public S3 withRegion(String name) {
      return new S3(bucket, prefix, endpoint, Optional.of(name), pathStyle);
    }

    public S3 withPathStyle(boolean on) {
      return new S3(bucket, prefix, endpoint, region, Optional.of(on));
    }

    /** {@code s3://bucket/prefix}, as in messages. */
    @Override
    public String toString() {
      return "s3://" + bucket + "/" + prefix;
    }

    /**
     * @throws StoreConfigException when the bucket is missing, the credentials are refused or the endpoint is not
     *     reached
     */
    @Override
    public BlobStore open(Path dataDir) {
      Path scratch;
      try {
        scratch = OwnerOnlyFiles.createDirectory(dataDir.resolve("artifacts").resolve("tmp"));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the artifact store's scratch folder under " + dataDir, e);
      }
      return S3Clients.open(this, System.getenv(), scratch);
    }
  }
}
