package dev.kiln.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Chinese text corpora {@link TextClassificationComparisonTest} labels by source: rows of {@code {text, label}}.
 */
final class ChineseCorpora {
  /** Where Debian's {@code fortunes-zh} installs its three files. */
  static final Path FORTUNES = Path.of("/usr/share/games/fortunes");

  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[。！？])");
  private static final Pattern HAN = Pattern.compile("\\p{IsHan}");
  private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");
  private static final Pattern ENTRY_END = Pattern.compile("(?m)^%\\h*$\\R?");

  private ChineseCorpora() {}

  /**
   * Debian's {@code fortunes-zh}: the Tang poems of {@code tang300} (313), the Song ci of {@code song100} (94) and a
   * seeded sample of {@code modern} entries from {@code chinese} (5,263 modern texts, mostly quotations), labelled by
   * file. Each entry is reduced to its body: the coloured lines (a poem's title and {@code 作者：} author line, a modern
   * entry's {@code -- source} attribution) go, since their layout differs per file and would name the label without
   * reading the text (the Song file writes {@code 题目:《…》}, the Tang file {@code 《…》}); the other lines are joined
   * without a separator, as Chinese text wraps mid-sentence.
   */
  static List<String[]> fortunes(Path dir, int modern, long seed) throws IOException {
    List<String[]> rows = new ArrayList<>();
    entries(dir.resolve("tang300")).forEach(e -> rows.add(new String[] {e, "tang"}));
    entries(dir.resolve("song100")).forEach(e -> rows.add(new String[] {e, "song"}));
    List<String> chinese = new ArrayList<>(entries(dir.resolve("chinese")));
    Collections.shuffle(chinese, new Random(seed));
    chinese.stream().limit(modern).forEach(e -> rows.add(new String[] {e, "modern"}));
    return rows;
  }

  /** A fortune file's entries (separated by lines {@code %}), bodies only, empty ones left out. */
  private static List<String> entries(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return ENTRY_END.splitAsStream(text).map(ChineseCorpora::body).filter(b -> !b.isEmpty()).toList();
  }

  private static String body(String entry) {
    return entry
        .lines()
        .filter(line -> !line.startsWith("\u001b") && !line.strip().startsWith("--"))
        .map(line -> ANSI.matcher(line).replaceAll("").strip())
        .collect(Collectors.joining());
  }

  /**
   * The seed articles' sentences (split after 。！？) holding at least 5 Han characters (no code, formulas or short
   * headings), labelled {@code article<i>} by the articles' sorted file names. {@code bench/text/seed_corpus.py} writes
   * the same rows.
   */
  static List<String[]> seedSentences(Path seeds) throws IOException {
    List<String[]> rows = new ArrayList<>();
    List<Path> articles;
    try (Stream<Path> files = Files.list(seeds)) {
      articles = files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
    }
    for (int a = 0; a < articles.size(); a++) {
      for (String line : Files.readAllLines(articles.get(a), StandardCharsets.UTF_8)) {
        for (String s : SENTENCE_END.split(line.strip())) {
          if (HAN.matcher(s).results().count() >= 5) {
            rows.add(new String[] {s.strip(), "article" + a});
          }
        }
      }
    }
    return rows;
  }

  /** The rows as a CSV with the header {@code text,label}, every text quoted. */
  static String csv(List<String[]> rows) {
    StringBuilder csv = new StringBuilder("text,label\n");
    rows.forEach(r -> csv.append('"').append(r[0].replace("\"", "\"\"")).append("\",").append(r[1]).append('\n'));
    return csv.toString();
  }

  /** How many rows each label has, by label. */
  static Map<String, Long> classCounts(List<String[]> rows) {
    return rows.stream().collect(Collectors.groupingBy(r -> r[1], TreeMap::new, Collectors.counting()));
  }
}
