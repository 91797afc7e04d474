package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's start-up cache ({@code bin/aot.sh}): built from this test's own class path laid out as {@code ./kiln}
 * runs it (a main jar and a library folder), then checked by the JVM itself, not by timing.
 */
class StartupCacheTest {
  private static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED");

  @Test
  void theCacheStepBuildsACacheTheJvmAcceptsAndAStaleOneNeverFailsTheStart(@TempDir Path dir) throws Exception {
    Path lib = Files.createDirectories(dir.resolve("lib"));
    Path jar = layOut(dir, lib);

    List<String> opts =
        run(
            "AOT_OPTS=(); kiln_aot \"$1\" \"$2\" "
                + String.join(" ", JVM)
                + "; printf '%s\\n' ${AOT_OPTS[@]+\"${AOT_OPTS[@]}\"}",
            jar.toString(),
            lib.toString());

    Path startup = dir.resolve("startup");
    assertThat(startup.resolve("ok")).as(log(startup)).exists();
    assertThat(opts).contains("-Donnxruntime.native.path=" + startup.resolve("native/onnxruntime"));
    assertThat(startup.resolve("native/sqlite/libsqlitejdbc.so")).isNotEmptyFile();
    if (Runtime.version().feature() >= 25) {
      assertThat(opts).contains("-XX:AOTCache=" + startup.resolve("kiln.aot"));
      // AOTMode=on: the JVM stops instead of running without the cache when it cannot use it.
      assertThat(java(jar, lib, List.of("-XX:AOTCache=" + startup.resolve("kiln.aot"), "-XX:AOTMode=on")))
          .isEqualTo("0.1.0");
    }

    // A jar changed after the cache was built: the stamp no longer matches (the next start rebuilds), and a start
    // with the old options still runs, quietly, without the cache.
    Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    String stamp = Files.readString(startup.resolve("stamp")).strip();
    assertThat(run("kiln_aot_stamp \"$1\" \"$2\"", jar.toString(), lib.toString()))
        .isNotEqualTo(stamp.lines().toList());
    assertThat(java(jar, lib, opts)).isEqualTo("0.1.0");
  }

  /** The class path as {@code ./kiln} has it: one main jar (kiln-cli's classes) and every other jar in a folder. */
  private static Path layOut(Path dir, Path lib) throws IOException {
    Path jar = dir.resolve("kiln-cli.jar");
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (Files.isDirectory(p) && p.endsWith("test-classes")) {
        continue;
      }
      if (!Files.isDirectory(p)) {
        Files.copy(p, lib.resolve(p.getFileName())); // by name: the cache step finds ONNX Runtime's and SQLite's jars
      } else {
        Path module = p.getParent().getParent();
        jarUp(p, module.endsWith("kiln-cli") ? jar : lib.resolve(module.getFileName() + ".jar"));
      }
    }
    return jar;
  }

  private static void jarUp(Path classes, Path to) throws IOException {
    try (OutputStream out = Files.newOutputStream(to);
        JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      // Directories too: Flyway finds its migrations by listing a folder of the class path.
      for (Path f : files.filter(f -> !f.equals(classes)).toList()) {
        String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
        j.putNextEntry(new JarEntry(Files.isDirectory(f) ? name + "/" : name));
        if (Files.isRegularFile(f)) {
          Files.copy(f, j);
        }
        j.closeEntry();
      }
    }
  }

  /** Runs a bash snippet after sourcing the launcher's JDK lookup and cache step; its output lines. */
  private static List<String> run(String script, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; . bin/jdk.sh; . bin/aot.sh; " + script, "test"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(LauncherTest.ROOT.toFile());
    pb.environment().put("KILN_JAVA_HOME", System.getProperty("java.home"));
    pb.environment().remove("KILN_AOT");
    return finish(pb.redirectError(ProcessBuilder.Redirect.INHERIT)).lines().toList();
  }

  /** {@code kiln --version} with these JVM options; everything it wrote, stdout and stderr. */
  private static String java(Path jar, Path lib, List<String> opts) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(JVM);
    cmd.addAll(opts);
    cmd.addAll(List.of("-cp", jar + File.pathSeparator + lib + "/*", "dev.kiln.cli.Main", "--version"));
    return finish(new ProcessBuilder(cmd).redirectErrorStream(true)).strip();
  }

  private static String finish(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private static String log(Path startup) throws IOException {
    Path log = startup.resolve("log");
    return Files.exists(log) ? Files.readString(log) : "no log";
  }
}
