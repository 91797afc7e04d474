package dev.kiln.govern.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bad-inputs T7: traversal and lookalike names, literal and encoded, never pass the gate. */
class SafeNamesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        // dot segments, separators, absolute and drive paths
        ".",
        "..",
        "...",
        "../x",
        "..\\x",
        "a/../b",
        "a/b",
        "a\\b",
        "/etc/passwd",
        "//proc/self/root",
        "/proc/self/root/etc/passwd",
        "C:\\Windows",
        "C:",
        "\\\\server\\share",
        "~root",
        "file:///etc/passwd",
        // MLflow payloads: fragment and percent-encoded dots/slashes, double-encoded, NUL
        "#",
        "model#frag",
        "%2e%2e",
        "%2E%2E",
        "%2e%2e%2f",
        "..%2f",
        "..%2fetc",
        "%2e%2e/x",
        "..%252f",
        "%252e%252e",
        "%00",
        "model%00.onnx",
        "a\u0000b",
        "..;/x",
        "model?x=1",
        // whitespace and control characters
        "",
        " ",
        " model",
        "model ",
        "mo del",
        "model\n",
        "model\r\nX-Header: 1",
        "model\t",
        // leading punctuation, '..' inside
        ".hidden",
        "-rf",
        "_model",
        "a..b",
        "model..",
        // unicode lookalikes: fullwidth, Cyrillic, one-dot leader, fullwidth solidus, RTL override
        "ｍodel",
        "mоdel",
        "\u2024\u2024",
        "．．",
        "a\uff0fb",
        "model\u202e",
        "mödel",
        // shell and glob characters
        "$HOME",
        "a*",
        "a;b",
        "a|b",
        "`id`",
        "a:b"
      })
  void traversalAndLookalikeNamesAreRefused(String raw) {
    for (UnaryOperator<String> gate :
        java.util.List.<UnaryOperator<String>>of(
            SafeNames::requireModelName, SafeNames::requireAlias, SafeNames::requireDatasetName)) {
      assertThatThrownBy(() -> gate.apply(raw))
          .isInstanceOf(KilnException.class)
          .satisfies(e -> assertThat(((KilnException) e).kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
          .hasMessageStartingWith("invalid ");
    }
  }

  @Test
  void overlongNamesAndNullAreRefused() {
    assertThat(SafeNames.requireModelName("a".repeat(128))).hasSize(128);
    assertThatThrownBy(() -> SafeNames.requireModelName("a".repeat(129))).isInstanceOf(KilnException.class);
    assertThatThrownBy(() -> SafeNames.requireAlias(null)).isInstanceOf(KilnException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mnist", "MNIST-v2", "resnet_50", "llama-3.1-8b", "a", "0", "model.onnx", "x-"})
  void ordinaryNamesPass(String raw) {
    assertThat(SafeNames.requireModelName(raw)).isEqualTo(raw);
    assertThat(SafeNames.requireAlias(raw)).isEqualTo(raw);
    assertThat(SafeNames.requireDatasetName(raw)).isEqualTo(raw);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "../../../../../../../../../../../../../../../../../../../../../x",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\n"
      })
  void digestsMustBeExactlySixtyFourLowerCaseHexDigits(String raw) {
    assertThatThrownBy(() -> SafeNames.requireSha256(raw))
        .isInstanceOf(KilnException.class)
        .hasMessage("invalid sha256 (expected: 64 lower-case hex digits)");
  }

  @Test
  void aWellFormedDigestPasses() {
    String empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertThat(SafeNames.requireSha256(empty)).isEqualTo(empty);
  }
}
