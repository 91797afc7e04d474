package dev.kiln.training.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lower-cases and splits text into runs of Unicode letters and digits; everything else separates tokens. The exported
 * model repeats this with ONNX Runtime's {@code StringNormalizer} and {@code Tokenizer} using the same token pattern,
 * so training and serving see the same tokens.
 */
final class TextTokenizer {
  /** The token pattern, valid both in {@code java.util.regex} and in RE2, the engine the ONNX op uses. */
  static final String TOKEN = "[\\p{L}\\p{N}]+";

  private static final Pattern PATTERN = Pattern.compile(TOKEN);

  private TextTokenizer() {}

  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = PATTERN.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
