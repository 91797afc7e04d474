package dev.kiln.training.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.onnx.OnnxGraphBuilder;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How text becomes tokens, in training (Java) and in the exported model (ONNX Runtime's {@code StringNormalizer} and
 * contrib {@code Tokenizer}, whose token pattern is an RE2 expression): optionally NFKC-normalised, optionally
 * lower-cased, then split by {@link Mode}.
 *
 * <p>Whitespace ({@code \s} and {@code \p{Z}}) and control and format characters ({@code \p{C}}) always separate
 * tokens. Characters outside the Basic Multilingual Plane (emoji, rare Han) reach ONNX Runtime from Java as surrogate
 * pairs, which its {@code StringNormalizer} refuses: lower-casing models do not take them.
 *
 * <p>NFKC has no ONNX operator: with {@code normalize} the exported model tokenises the text as sent, so a client must
 * send NFKC-normalised text to see the tokens training saw (README, "Text").
 *
 * @param mode never {@code null}; stored jobs from before modes existed read as {@link #LEGACY}
 */
public record Tokenization(Mode mode, boolean lowercase, boolean normalize) {
  /** Words, lower-cased, not normalised: the only tokenisation before modes existed. */
  public static final Tokenization LEGACY = new Tokenization(Mode.WORDS, true, false);

  /** What ONNX pads ragged token rows with; never a token, since spaces only separate tokens. */
  static final String PAD_TOKEN = " ";

  /** The scripts written without spaces between words, tokenised one character a token in {@link Mode#CHARS}. */
  private static final List<String> UNSPACED = List.of("Han", "Hiragana", "Katakana", "Thai");

  /** How text splits into tokens. */
  public enum Mode {
    /** Runs of letters and numbers: right for scripts that put spaces between words. */
    @JsonProperty("words")
    WORDS,
    /**
     * One token per Han, Hiragana, Katakana or Thai character (Thai vowel signs included), runs of the remaining
     * letters and numbers as words, and each other visible character (punctuation, symbols) as a token of its own:
     * Chinese with English terms and numbers splits into characters and words, and its punctuation is kept as the
     * character n-grams of scikit-learn's {@code analyzer="char"} keep it (see BENCHMARKS.md, "Text").
     */
    @JsonProperty("chars")
    CHARS;

    /** The token pattern; {@code java} picks {@code java.util.regex} script names, else RE2's. */
    String pattern(boolean java) {
      if (this == WORDS) {
        return "[\\p{L}\\p{N}]+";
      }
      StringBuilder scripts = new StringBuilder();
      UNSPACED.forEach(s -> scripts.append("\\p{").append(java ? "Is" : "").append(s).append('}'));
      // RE2 has neither class subtraction nor look-ahead: "a letter not in these scripts" is the complement of
      // (not a letter, or in one of them); the same for numbers.
      return "[" + scripts + "]|(?:[^\\P{L}" + scripts + "]|[^\\P{N}" + scripts + "])+|[^\\s\\p{Z}\\p{C}\\p{L}\\p{N}]";
    }
  }

  public Tokenization {
    Objects.requireNonNull(mode, "mode");
  }

  /** The tokens of one text, in order. */
  public List<String> tokens(String text) {
    String t = normalize ? Normalizer.normalize(text, Normalizer.Form.NFKC) : text;
    t = lowercase ? t.toLowerCase(Locale.ROOT) : t;
    Matcher m = Patterns.of(mode).matcher(t);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** The RE2 token pattern the exported model uses. */
  public String onnxPattern() {
    return mode.pattern(false);
  }

  /**
   * Appends the ONNX nodes that turn {@code input} (BYTES {@code [N]}) into tokens, BYTES {@code [N, T]}, short rows
   * padded with {@link #PAD_TOKEN}; returns the tokens' name.
   */
  String appendOnnx(OnnxGraphBuilder g, String input) {
    g.opset("com.microsoft", 1);
    String text = input;
    if (lowercase) {
      text = g.fresh("lower");
      // "C.UTF-8" because ORT's default locale (en_US.UTF-8) is missing from minimal Linux images.
      g.node(
          "StringNormalizer",
          List.of(input),
          List.of(text),
          Map.of("case_change_action", "LOWER", "locale", "C.UTF-8"));
    }
    String tokens = g.fresh("tokens");
    g.node(
        "com.microsoft",
        "Tokenizer",
        List.of(text),
        List.of(tokens),
        Map.of("mark", 0L, "mincharnum", 1L, "pad_value", PAD_TOKEN, "tokenexp", onnxPattern()));
    return tokens;
  }

  /**
   * The mode that fits a sample of texts: {@link Mode#CHARS} when at least a tenth of its letters are Han, Hiragana,
   * Katakana or Thai, else {@link Mode#WORDS}.
   */
  public static Mode detect(List<String> sample) {
    long letters = 0;
    long unspaced = 0;
    for (String text : sample) {
      for (int i = 0; i < text.length(); ) {
        int cp = text.codePointAt(i);
        i += Character.charCount(cp);
        if (Character.isLetter(cp)) {
          letters++;
          Character.UnicodeScript s = Character.UnicodeScript.of(cp);
          boolean cjk =
              s == Character.UnicodeScript.HAN
                  || s == Character.UnicodeScript.HIRAGANA
                  || s == Character.UnicodeScript.KATAKANA
                  || s == Character.UnicodeScript.THAI;
          unspaced += cjk ? 1 : 0;
        }
      }
    }
    return letters > 0 && unspaced * 10 >= letters ? Mode.CHARS : Mode.WORDS;
  }

  /** Compiled once per mode. */
  private static final class Patterns {
    private static final Pattern WORDS = Pattern.compile(Mode.WORDS.pattern(true));
    private static final Pattern CHARS = Pattern.compile(Mode.CHARS.pattern(true));

    static Pattern of(Mode mode) {
      return mode == Mode.WORDS ? WORDS : CHARS;
    }
  }
}
