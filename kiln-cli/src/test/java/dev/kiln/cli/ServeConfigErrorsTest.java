package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.govern.testing.S3Server;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A configuration {@code kiln serve} cannot start with stops it at once with one line naming what to fix. */
class ServeConfigErrorsTest {
  @TempDir Path tmp;

  @Test
  void anUnreachableDatabaseIsOneLineNamingItInSeconds() throws IOException {
    long start = System.nanoTime();

    Result r = serve("--database", "jdbc:postgresql://127.0.0.1:1/kiln?password=secret");

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err)
        .startsWith("kiln: cannot open the database jdbc:postgresql://127.0.0.1:1/kiln: Connection to 127.0.0.1:1")
        .contains("check --database")
        .doesNotContain("secret")
        .doesNotContain("Exception");
    assertThat(r.err.strip().lines()).hasSize(1);
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(30);
  }

  @Test
  void aDataFolderThatCannotBeCreatedIsOneLineNamingIt() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "not a folder");

    Result r = serve("--data", file.toString());

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .startsWith("kiln: cannot create the database's folder " + file)
        .endsWith("check --data")
        .doesNotContain("\n");
  }

  @Test
  void anLlmIsolationKilnDoesNotKnowIsOneLineNamingTheChoices() throws IOException {
    Result r = serve("--llm-isolation", "sideways", "--no-database");

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).contains("--llm-isolation: sideways (expected: process or in-process)");
    assertThat(r.err.strip().lines()).hasSize(1);
  }

  @Test
  void aDatabaseUrlKilnDoesNotSupportIsOneLine() throws IOException {
    Result r = serve("--database", "jdbc:mysql://db/kiln");

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("kiln: database URL must start with jdbc:sqlite: or jdbc:postgresql:");
  }

  @Test
  void aPortInUseIsOneLineNamingTheOptions() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Result r = serve("--http-port", String.valueOf(taken.getLocalPort()), "--no-database");

      assertThat(r.code).isEqualTo(2);
      assertThat(r.err.strip())
          .startsWith("kiln: cannot listen: ")
          .endsWith("(another process holds --http-port or --grpc-port: stop it or choose free ports)");
      assertThat(r.err.strip().lines()).hasSize(1);
    }
  }

  @Test
  void anS3StoreWithAMissingBucketOrRefusedCredentialsIsOneLineNamingWhatToFix() throws IOException {
    try (S3Server s3 = S3Server.start(tmp.resolve("s3"))) {
      s3.createBucket("kiln");
      String endpoint = s3.endpoint().toString();

      Result noBucket = serve("--store", "s3://nope/models", "--store-endpoint", endpoint);
      assertThat(noBucket.code).isEqualTo(2);
      assertThat(noBucket.err.strip())
          .isEqualTo("kiln: artifact store s3://nope/models/: bucket nope does not exist: create it or fix --store");

      String secret = System.getProperty("aws.secretAccessKey");
      System.setProperty("aws.secretAccessKey", "wrong");
      try {
        Result refused = serve("--store", "s3://kiln", "--store-endpoint", endpoint);
        assertThat(refused.code).isEqualTo(2);
        assertThat(refused.err.strip())
            .isEqualTo(
                "kiln: artifact store s3://kiln/: access to bucket kiln denied (HTTP 403): check AWS_ACCESS_KEY_ID"
                    + " and AWS_SECRET_ACCESS_KEY");
      } finally {
        System.setProperty("aws.secretAccessKey", secret);
      }

      Result unreachable = serve("--store", "s3://kiln", "--store-endpoint", "http://127.0.0.1:1");
      assertThat(unreachable.code).isEqualTo(2);
      assertThat(unreachable.err.strip())
          .startsWith("kiln: artifact store s3://kiln/: cannot reach http://127.0.0.1:1: ")
          .endsWith("check --store-endpoint or AWS_ENDPOINT_URL");
      assertThat(unreachable.err.strip().lines()).hasSize(1);
    }
  }

  @Test
  void s3FlagsWithoutAnS3StoreAreAUsageError() throws IOException {
    Result r = serve("--store-endpoint", "http://127.0.0.1:9000");

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("--store-endpoint, --store-region and --store-path-style need --store s3://");
  }

  @Test
  void aMasterKeyWithoutTheDatabaseIsAUsageError() throws IOException {
    Result r = serve("--no-database", "--master-key", tmp.resolve("master.key").toString());

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("--master-key needs the database (encryption at rest covers the artifact store)");
  }

  @Test
  void aScratchFolderThatCannotBeCreatedIsOneLineNamingIt() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "not a folder");

    Result r = serve("--scratch", file.toString());

    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .startsWith("kiln: cannot create the plaintext scratch folder under " + file)
        .endsWith("(check --scratch)")
        .doesNotContain("\n");
  }

  private record Result(int code, String err) {}

  private Result serve(String... options) throws IOException {
    Path models = Files.createDirectories(tmp.resolve("models"));
    List<String> args = new ArrayList<>(List.of("serve", "--models", models.toString()));
    args.addAll(List.of(options));
    if (!args.contains("--data")) {
      args.addAll(List.of("--data", tmp + "/data"));
    }
    for (String port : List.of("--http-port", "--grpc-port")) {
      if (!args.contains(port)) {
        args.addAll(List.of(port, "0"));
      }
    }
    String[] line = args.toArray(String[]::new);
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(line);
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(line);
    return new Result(code, err.toString());
  }
}
