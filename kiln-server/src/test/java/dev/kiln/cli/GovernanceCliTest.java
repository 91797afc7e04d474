package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.engine.onnx.ExampleModels;
import dev.kiln.server.GovernanceConfig;
import dev.kiln.server.Kiln;
import dev.kiln.server.KilnConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The governance commands against a real server with auth on: keys, registry, usage, audit, master keys. */
class GovernanceCliTest {
  @TempDir Path repo;
  @TempDir Path data;
  @TempDir Path files;
  Kiln kiln;
  String url;
  String admin;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    Path key = files.resolve("master.key");
    assertThat(kiln("master-key", "new", key.toString()).out()).contains("master key ", "written");
    kiln = Kiln.start(KilnConfig.defaults(repo, 0, 0)
        .withGovernance(GovernanceConfig.defaults(data).withAuth(true).withMasterKey(key)));
    url = "http://127.0.0.1:" + kiln.httpPort();
    admin = kiln.bootstrapToken();
  }

  @AfterEach
  void stop() {
    if (kiln != null) {
      kiln.close();
    }
  }

  Run kiln(String... args) {
    PrintStream saved = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true));
      return new Run(cli.execute(args), out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
      System.setErr(savedErr);
    }
  }

  @Test
  void anAdminMakesKeysPushesAndAliasesModelsAndReadsUsageAndAudit() throws Exception {
    Path model = Files.write(files.resolve("add_sub.onnx"), ExampleModels.addSub());
    Run push = kiln("models", "push", model.toString(), "--name", "add_sub", "--url", url, "--key", admin);
    assertThat(push.exit()).as(push.err()).isZero();
    assertThat(push.out()).contains("add_sub version 1:", "sha256 ");
    assertThat(kiln("models", "alias", "add_sub", "production", "1", "--url", url, "--key", admin).out())
        .contains("add_sub@production -> version 1");

    Run create = kiln("keys", "create", "--name", "shop", "--allow", "invoke:add_sub", "--rpm", "600",
        "--daily-requests", "100000", "--url", url, "--key", admin);
    assertThat(create.exit()).as(create.err()).isZero();
    String token = create.out().lines().filter(l -> l.startsWith("kiln_")).findFirst().orElseThrow();
    assertThat(kiln("keys", "list", "--url", url, "--key", admin).out()).contains("shop", "active",
        "invoke:add_sub").doesNotContain(token);

    Run denied = kiln("keys", "list", "--url", url, "--key", token);
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.err()).contains("HTTP 403");
    Run noKey = kiln("models", "list", "--url", url);
    assertThat(noKey.err()).contains("HTTP 401");

    assertThat(kiln("audit", "--url", url, "--key", admin).out()).contains("model.push", "model:add_sub/1",
        "model.alias", "key.create");
    assertThat(kiln("usage", "--url", url, "--key", admin).exit()).isZero();
    String id = token.substring(5, 17);
    assertThat(kiln("keys", "revoke", id, "--url", url, "--key", admin).out()).contains("revoked");
    assertThat(kiln("models", "list", "--url", url, "--key", token).err()).contains("HTTP 401", "revoked");
  }

  @Test
  void aMasterKeyFileOthersCanReadIsRefusedInOneLine() throws Exception {
    Path loose = files.resolve("loose.key");
    Files.writeString(loose, java.util.Base64.getEncoder().encodeToString(new byte[32]));
    Files.setPosixFilePermissions(loose, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Run r = kiln("master-key", "rewrap", "--data", data.toString(), "--master-key", loose.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("kiln: ").contains("chmod 600");
  }
}
