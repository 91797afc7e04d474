package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.tls.TlsSettings;
import dev.kiln.govern.blob.StoreLocation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  @Test
  void demoPassesEveryCheck() {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = Main.commandLine().execute("demo", "--dir", dir.toString(), "--requests", "64");
    } finally {
      System.setOut(original);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("gRPC ModelInfer").contains("all checks passed").doesNotContain("FAIL");
  }

  @Test
  void serveOptionsParseWithTheirDefaults() {
    ServeCommand serve = new ServeCommand();
    new picocli.CommandLine(serve)
        .registerConverter(Duration.class, Durations::parse)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--models", "m", "--model-control", "POLL", "--poll-interval", "500ms");
    assertThat(serve.httpPort).isEqualTo(8000);
    assertThat(serve.grpcPort).isEqualTo(8001);
    assertThat(serve.host).isEqualTo("127.0.0.1");
    assertThat(serve.pollInterval).isEqualTo(Duration.ofMillis(500));
    assertThat(serve.modelControl).isEqualTo(dev.kiln.server.ModelControl.POLL);
  }

  @Test
  void tlsOptionsBecomeTheSettingsOfBothListeners() {
    assertThat(serve().tls()).isEmpty();
    assertThat(serve("--tls-cert", "s.pem", "--tls-key", "s.key").tls())
        .contains(TlsSettings.of(Path.of("s.pem"), Path.of("s.key")));
    assertThat(serve("--tls-cert", "s.pem", "--tls-key", "s.key", "--tls-client-ca", "ca.pem").tls())
        .contains(
            TlsSettings.of(Path.of("s.pem"), Path.of("s.key"))
                .withClientAuth(Path.of("ca.pem"), TlsSettings.ClientAuth.REQUIRE));
    assertThat(
            serve(
                    "--tls-cert",
                    "s.pem",
                    "--tls-key",
                    "s.key",
                    "--tls-client-ca",
                    "ca.pem",
                    "--tls-client-auth",
                    "optional")
                .tls()
                .orElseThrow()
                .clientAuth())
        .isEqualTo(TlsSettings.ClientAuth.OPTIONAL);
    assertThatThrownBy(() -> serve("--tls-cert", "s.pem").tls()).hasMessageContaining("go together");
    assertThatThrownBy(() -> serve("--tls-cert", "s.pem", "--tls-key", "s.key", "--tls-client-auth", "require").tls())
        .hasMessageContaining("needs --tls-client-ca");
  }

  @Test
  void aCommandLineThatNamesOneCommandHoldsOnlyThatOneAndOtherwiseAll() {
    int all = Main.commandLine().getSubcommands().size();
    assertThat(Main.commandLine("serve", "--help").getSubcommands()).containsOnlyKeys("serve");
    assertThat(Main.commandLine("help", "serve").getSubcommands()).hasSize(all).containsKeys("serve", "train", "help");
    assertThat(Main.commandLine("srve").getSubcommands()).hasSize(all);
    assertThat(Main.commandLine().getSubcommands()).hasSizeGreaterThan(10);
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine("serve", "--help");
    cli.setOut(new PrintWriter(out, true));
    assertThat(cli.execute("serve", "--help")).isZero();
    assertThat(out.toString()).contains("Usage: kiln serve").contains("--models").contains("--no-training");
  }

  @Test
  void aBadTlsFileEndsServeWithItsNameAndTheProblem() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    Path cert = dir.resolve("none.pem");
    int code =
        cli.execute(
            "serve",
            "--models",
            dir.toString(),
            "--http-port",
            "0",
            "--grpc-port",
            "0",
            "--no-training",
            "--data",
            dir.resolve("data").toString(),
            "--tls-cert",
            cert.toString(),
            "--tls-key",
            dir.resolve("none.key").toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("kiln: TLS certificate chain " + cert + ": no such file");
  }

  @Test
  void theChangeIntervalDefaultsTo250msAndMustBePositive() {
    assertThat(serve("--models", "m").governance.config(dir).orElseThrow().changeInterval())
        .isEqualTo(Duration.ofMillis(250));
    assertThat(serve("--models", "m", "--change-interval", "2s").governance.config(dir).orElseThrow().changeInterval())
        .isEqualTo(Duration.ofSeconds(2));

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int code =
        cli.execute(
            "serve", "--models", dir.toString(), "--data", dir.resolve("data").toString(), "--change-interval", "0s");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--change-interval must be positive");
  }

  @Test
  void theSessionTtlDefaultsTo12HoursAndMustBePositive() {
    assertThat(serve("--models", "m").governance.config(dir).orElseThrow().sessionTtl())
        .isEqualTo(Duration.ofHours(12));
    assertThat(serve("--models", "m", "--session-ttl", "30m").governance.config(dir).orElseThrow().sessionTtl())
        .isEqualTo(Duration.ofMinutes(30));

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int code =
        cli.execute(
            "serve", "--models", dir.toString(), "--data", dir.resolve("data").toString(), "--session-ttl", "0s");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--session-ttl must be positive");
  }

  @Test
  void theArtifactStoreIsTheDataFolderUnlessStoreNamesABucketWithItsFlags() {
    assertThat(serve("--models", "m").governance.config(dir).orElseThrow().artifactStore())
        .isEqualTo(new StoreLocation.Folder(dir.resolve("artifacts")));
    assertThat(serve("--models", "m", "--store", "file:/srv/kiln").governance.config(dir).orElseThrow().artifactStore())
        .isEqualTo(new StoreLocation.Folder(Path.of("/srv/kiln")));
    StoreLocation s3 =
        serve(
                "--models",
                "m",
                "--store",
                "s3://kiln-models/prod/",
                "--store-endpoint",
                "http://minio:9000",
                "--store-region",
                "eu-west-1",
                "--store-path-style=false")
            .governance
            .config(dir)
            .orElseThrow()
            .artifactStore();
    assertThat(s3)
        .isEqualTo(
            new StoreLocation.S3(
                "kiln-models",
                "prod/",
                Optional.of(URI.create("http://minio:9000")),
                Optional.of("eu-west-1"),
                Optional.of(false)));
  }

  @Test
  void theLimitBlockDefaultsTo64AndMustBeAtLeastOne() {
    assertThat(serve("--models", "m").governance.config(dir).orElseThrow().limitBlock()).isEqualTo(64);
    assertThat(serve("--models", "m", "--limit-block", "1").governance.config(dir).orElseThrow().limitBlock())
        .isEqualTo(1);

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine();
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    int code =
        cli.execute(
            "serve", "--models", dir.toString(), "--data", dir.resolve("data").toString(), "--limit-block", "0");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--limit-block must be at least 1");
  }

  private static ServeCommand serve(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve)
        .registerConverter(Duration.class, Durations::parse)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs(args);
    return serve;
  }

  @Test
  void durationsAcceptHumanAndIsoForms() {
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("PT1S")).isEqualTo(Duration.ofSeconds(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessageContaining("not a duration");
  }
}
