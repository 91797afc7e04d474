package dev.kiln.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The source rules' reading of Java, on deliberate violations and on what must not count as one. */
class JavaSourceTest {

  @Test
  void findsInlineNamesInCodeIncludingAnnotationsAndCasts() {
    JavaSource s =
        JavaSource.of(
            """
            package dev.kiln.x;

            import java.util.List;

            @dev.kiln.y.Marker
            class A {
              java.util.concurrent.CompletionException e;
              Object o = (com.sun.management.ThreadMXBean) null;
              java.util.Map.Entry<String, String> entry;
            }
            """);
    assertThat(s.inlineNames(Set.of("A")))
        .containsExactly(
            "5: dev.kiln.y.Marker",
            "7: java.util.concurrent.CompletionException",
            "8: com.sun.management.ThreadMXBean",
            "9: java.util.Map");
  }

  @Test
  void ignoresCommentsStringsImportsAndMemberChains() {
    JavaSource s =
        JavaSource.of(
            """
            package dev.kiln.x;

            import java.util.List;
            import static java.util.Objects.requireNonNull;

            /** See {@link java.util.List}. */
            class A {
              // java.util.Map here is a comment
              String s = "java.util.Set is a string";
              String t = \"""
                  java.util.Deque in a text block
                  \""";
              Object o = this.java.util.Foo;
            }
            """);
    assertThat(s.inlineNames(Set.of("A"))).isEmpty();
  }

  @Test
  void leavesANameThatAnImportOrTheFileAlreadyTakes() {
    JavaSource s =
        JavaSource.of(
            """
            package dev.kiln.x;

            import dev.kiln.core.model.ModelConfig;

            class A {
              dev.kiln.protocol.grpc.proto.ModelConfig wire;
              dev.kiln.other.A notThisOne;
              dev.kiln.other.Sibling notThisEither;
              foo.bar.String shadowed;
            }
            """);
    assertThat(s.inlineNames(Set.of("A", "Sibling"))).isEmpty();
  }

  @Test
  void aSizeReasonCountsOnlyInTheHeader() {
    assertThat(
            JavaSource.of("package p;\n\n/**\n * Why.\n *\n * Size: one table of cases.\n */\nclass A {}\n")
                .hasSizeReason())
        .isTrue();
    assertThat(JavaSource.of("package p;\n// Size: a table\nfinal class A {}\n").hasSizeReason()).isTrue();
    assertThat(JavaSource.of("package p;\n/** A. */\nclass A {\n  // Size: too late\n}\n").hasSizeReason()).isFalse();
    assertThat(JavaSource.of("package p;\n/** Sizes: not the key. */\nclass A {}\n").hasSizeReason()).isFalse();
  }
}
