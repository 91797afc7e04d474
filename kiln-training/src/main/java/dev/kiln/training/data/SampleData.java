package dev.kiln.training.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Small datasets for tests and demos: the bundled 8x8 digits, and seeded synthetic generators (the same seed always
 * writes the same bytes).
 */
public final class SampleData {
  private static final String DIGITS = "digits.csv.gz";
  private static final List<String> GOOD = List.of("great", "wonderful", "loved", "brilliant", "fun", "superb");
  private static final List<String> BAD = List.of("awful", "boring", "hated", "terrible", "dull", "poor");
  private static final List<String> FILLER = List.of("the", "film", "was", "a", "plot", "and", "really", "acting");

  private SampleData() {}

  /** The UCI 8x8 handwritten digits (1,797 rows): header {@code p0..p63,digit}, pixels 0..16, digit 0..9, gzipped. */
  public static InputStream digitsCsv() {
    InputStream in = SampleData.class.getResourceAsStream(DIGITS);
    if (in == null) {
      throw new IllegalStateException("digits resource missing from the build");
    }
    return in;
  }

  /** Copies the digits to {@code dir/digits.csv.gz} and returns that path. */
  public static Path digitsCsv(Path dir) {
    Path file = dir.resolve(DIGITS);
    try (InputStream in = digitsCsv()) {
      Files.createDirectories(dir);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} rows {@code x,y} with x uniform in [-1, 1] and y = 2x + 1 + N(0, 0.1). */
  public static Path linear(Path file, int n, long seed) {
    Random r = new Random(seed);
    StringBuilder s = new StringBuilder("x,y\n");
    for (int i = 0; i < n; i++) {
      double x = r.nextDouble() * 2 - 1;
      double y = 2 * x + 1 + r.nextGaussian() * 0.1;
      s.append(String.format(Locale.ROOT, "%.6f,%.6f%n", x, y));
    }
    return write(file, s.toString());
  }

  /**
   * {@code n} rows {@code text,label}: short reviews labelled {@code positive} or {@code negative} (alternating), each
   * with sentiment words of its class among neutral filler, capitals and punctuation.
   */
  public static Path sentiment(Path file, int n, long seed) {
    Random r = new Random(seed);
    StringBuilder s = new StringBuilder("text,label\n");
    for (int i = 0; i < n; i++) {
      boolean positive = i % 2 == 0;
      List<String> words = new ArrayList<>();
      int length = 4 + r.nextInt(6);
      for (int k = 0; k < length; k++) {
        List<String> pool = r.nextInt(3) == 0 ? (positive ? GOOD : BAD) : FILLER;
        words.add(pool.get(r.nextInt(pool.size())));
      }
      words.add((positive ? GOOD : BAD).get(r.nextInt(GOOD.size())));
      String text = Character.toUpperCase(words.getFirst().charAt(0)) + String.join(" ", words).substring(1);
      s.append('"')
          .append(text)
          .append(r.nextBoolean() ? "!" : ", really.")
          .append("\",")
          .append(positive ? "positive" : "negative")
          .append('\n');
    }
    return write(file, s.toString());
  }

  /**
   * {@code root/horizontal/*.png} and {@code root/vertical/*.png}: {@code perClass} 8x8 grey images each, one bright
   * bar at a random position on a noisy dark background.
   */
  public static Path bars(Path root, int perClass, long seed) {
    Random r = new Random(seed);
    try {
      for (String cls : List.of("horizontal", "vertical")) {
        Files.createDirectories(root.resolve(cls));
        for (int i = 0; i < perClass; i++) {
          BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
          int at = r.nextInt(8);
          for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
              boolean bar = cls.equals("horizontal") ? y == at : x == at;
              img.getRaster().setSample(x, y, 0, bar ? 200 + r.nextInt(56) : r.nextInt(40));
            }
          }
          ImageIO.write(img, "png", root.resolve(cls).resolve(String.format(Locale.ROOT, "%03d.png", i)).toFile());
        }
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String content) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
