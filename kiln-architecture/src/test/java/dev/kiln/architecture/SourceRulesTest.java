package dev.kiln.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * House rules that ArchUnit cannot see, read from the sources of every module: file size (a main file over 300 lines or
 * a test file over 500 says why in a {@code Size:} line of its header comment) and no fully qualified class names
 * written inline in main code ({@code bin/fqn-imports} rewrites them).
 */
class SourceRulesTest {

  static final int MAIN_LIMIT = 300;
  static final int TEST_LIMIT = 500;

  private static final Path ROOT = repositoryRoot();

  @Test
  void mainFilesStayUnder300LinesOrSayWhy() {
    assertThat(oversized("main", MAIN_LIMIT))
        .as("main files over %d lines need a 'Size:' line in their header comment saying why", MAIN_LIMIT)
        .isEmpty();
  }

  @Test
  void testFilesStayUnder500LinesOrSayWhy() {
    assertThat(oversized("test", TEST_LIMIT))
        .as("test files over %d lines need a 'Size:' line in their header comment saying why", TEST_LIMIT)
        .isEmpty();
  }

  @Test
  void mainCodeImportsRatherThanQualifiesInline() {
    Map<String, Set<String>> byPackage = new HashMap<>();
    Map<Path, JavaSource> sources = new HashMap<>();
    for (Path file : javaFiles("main")) {
      JavaSource source = JavaSource.of(read(file));
      sources.put(file, source);
      String name = file.getFileName().toString();
      byPackage.computeIfAbsent(source.pkg(), k -> new TreeSet<>()).add(name.substring(0, name.length() - 5));
    }
    List<String> inline = new ArrayList<>();
    sources.forEach((file, source) ->
        source.inlineNames(byPackage.get(source.pkg())).forEach(hit -> inline.add(ROOT.relativize(file) + ":" + hit)));
    assertThat(inline.stream().sorted().toList())
        .as("fully qualified names written inline in main code; run bin/fqn-imports to import them")
        .isEmpty();
  }

  private static List<String> oversized(String kind, int limit) {
    List<String> over = new ArrayList<>();
    for (Path file : javaFiles(kind)) {
      JavaSource source = JavaSource.of(read(file));
      if (source.lines() > limit && !source.hasSizeReason()) {
        over.add(ROOT.relativize(file) + " (" + source.lines() + " lines)");
      }
    }
    return over;
  }

  /** Every {@code <module>/src/<kind>/java/**.java} of the repository. */
  static List<Path> javaFiles(String kind) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).sorted().toList()) {
        Path java = module.resolve("src").resolve(kind).resolve("java");
        if (Files.isDirectory(java)) {
          try (Stream<Path> walk = Files.walk(java)) {
            walk.filter(f -> f.toString().endsWith(".java")).sorted().forEach(files::add);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(files).as("%s sources under %s", kind, ROOT).isNotEmpty();
    return files;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Surefire runs in this module's folder; the repository root is the parent that lists this module. */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path pom = p.resolve("pom.xml");
      if (Files.isRegularFile(pom) && read(pom).contains("<module>kiln-architecture</module>")) {
        return p;
      }
    }
    throw new IllegalStateException("no parent pom listing kiln-architecture above " + dir);
  }
}
