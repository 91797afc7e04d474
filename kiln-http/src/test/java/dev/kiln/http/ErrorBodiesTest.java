package dev.kiln.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The scanner finds each kind of leak seen in issue 10 and passes Kiln's own messages. */
class ErrorBodiesTest {
  @Test
  void findsEachKindOfLeak() {
    assertThat(ErrorBodies.leaks("{\"error\": \"cannot unpack the archive: /tmp/kiln-upload-123/a\"}"))
        .anyMatch(l -> l.startsWith("absolute path"));
    assertThat(
            ErrorBodies.leaks(
                "{\"error\": \"Document nesting depth (101) exceeds the maximum allowed (100, "
                    + "from `StreamReadConstraints.getMaxNestingDepth()`)\"}"))
        .anyMatch(l -> l.startsWith("parser"));
    assertThat(ErrorBodies.leaks("{\"error\": \"at [Source: REDACTED; line: 1, column: 5]\"}"))
        .anyMatch(l -> l.startsWith("parser"));
    assertThat(ErrorBodies.leaks("{\"error\": \"com.fasterxml.jackson.core.JsonParseException: x\"}"))
        .anyMatch(l -> l.startsWith("Java class name"))
        .anyMatch(l -> l.startsWith("exception name"));
    assertThat(ErrorBodies.leaks("{\"error\": \"at dev.kiln.Foo.bar(Foo.java:12)\"}"))
        .anyMatch(l -> l.startsWith("stack frame"))
        .anyMatch(l -> l.startsWith("source location"));
    assertThat(ErrorBodies.leaks("{\"error\": \"tensorprotoutils.cc:426 something\"}"))
        .anyMatch(l -> l.startsWith("source location"));
    assertThat(ErrorBodies.leaks("{\"error\": \"java.lang.NullPointerException\"}")).isNotEmpty();
    assertThat(ErrorBodies.leaks("{\"error\": \"see 0123abcd\"}", "0123abcd")).containsExactly("forbidden: 0123abcd");
  }

  @Test
  void passesKilnsOwnMessages() {
    for (String ok :
        new String[] {
          "{\"error\": \"input 'a': shape [1, 3] (expected: [*, 4])\"}",
          "{\"error\": \"no route for GET /v2/no/such/route\"}",
          "{\"error\": \"malformed JSON at line 2 column 3\"}",
          "{\"error\": \"several models are served; name one: POST /predict/<model>\"}",
          "{\"error\": \"request body larger than the limit of 65536 bytes\"}",
          "{\"error\": {\"message\": \"x\", \"type\": \"server_error\"}}"
        }) {
      assertThat(ErrorBodies.leaks(ok)).as(ok).isEmpty();
    }
  }
}
