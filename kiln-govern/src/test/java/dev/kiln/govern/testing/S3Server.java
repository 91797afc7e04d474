package dev.kiln.govern.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API for tests: s3proxy in this JVM on a free loopback port, over a folder (jclouds' filesystem backend),
 * with AWS v4 signatures checked against {@link #ACCESS_KEY}/{@link #SECRET_KEY}. It can be stopped and started again
 * on the same port and folder, as an outage and its end. {@link #start} also sets the AWS SDK's credential properties
 * ({@code aws.accessKeyId}, {@code aws.secretAccessKey}) in this JVM, so a store opened here signs with them; another
 * process gets them as {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} ({@link #environment}).
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "kiln-test-access";
  public static final String SECRET_KEY = "kiln-test-secret";

  private final Path folder;
  private final BlobStoreContext context;
  private int port;
  private S3Proxy proxy;

  private S3Server(Path folder, BlobStoreContext context) {
    this.folder = folder;
    this.context = context;
  }

  /** Starts a server keeping its objects under {@code folder} (created if needed). */
  public static S3Server start(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", folder.toString());
    BlobStoreContext context =
        ContextBuilder.newBuilder("filesystem")
            .credentials("identity", "credential")
            .overrides(properties)
            .build(BlobStoreContext.class);
    System.setProperty("aws.accessKeyId", ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", SECRET_KEY);
    System.setProperty("aws.disableEc2Metadata", "true"); // never ask a metadata address for credentials in a test
    S3Server server = new S3Server(folder, context);
    server.port = 0;
    server.restart();
    return server;
  }

  /** Creates {@code bucket}; returns it. */
  public String createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
    return bucket;
  }

  /** {@code http://127.0.0.1:PORT}, the same across {@link #stop()} and {@link #restart()}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public Path folder() {
    return folder;
  }

  /** The variables another process needs to reach this server: endpoint, region, credentials. */
  public Map<String, String> environment() {
    return Map.of(
        "AWS_ENDPOINT_URL",
        endpoint().toString(),
        "AWS_REGION",
        "us-east-1",
        "AWS_ACCESS_KEY_ID",
        ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY",
        SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED",
        "true");
  }

  /** Stops answering: connections to the port are refused until {@link #restart()}. */
  public void stop() {
    try {
      if (proxy != null) {
        proxy.stop();
        proxy = null;
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop s3proxy", e);
    }
  }

  /** Starts answering again on the same port, over the same folder. */
  public void restart() {
    S3Proxy next =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    try {
      next.start();
      while (!"STARTED".equals(next.getState())) {
        Thread.sleep(5);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot start s3proxy on port " + port, e);
    }
    proxy = next;
    port = next.getPort();
  }

  @Override
  public void close() {
    stop();
    context.close();
  }
}
