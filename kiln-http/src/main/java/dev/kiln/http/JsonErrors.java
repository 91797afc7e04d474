package dev.kiln.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.kiln.core.error.KilnException;
import java.io.CharConversionException;
import java.io.IOException;
import java.util.Locale;

/**
 * Caller-facing messages for JSON that could not be read. Jackson's own messages name its classes and methods ({@code
 * StreamReadConstraints.getMaxNestingDepth()}) and echo the source; callers get Kiln's words and a position instead.
 */
public final class JsonErrors {
  private JsonErrors() {}

  /** INVALID_ARGUMENT describing {@code e}; {@code maxDepth} is the nesting limit the parser was built with. */
  public static KilnException invalid(IOException e, int maxDepth) {
    return KilnException.invalid(describe(e, maxDepth));
  }

  /** Says what is wrong with JSON read from memory, where every failure is the text's own. */
  public static String describe(IOException e, int maxDepth) {
    if (e instanceof CharConversionException) {
      return "malformed JSON: the text is not valid UTF-8";
    }
    if (!(e instanceof JsonProcessingException)) {
      return "malformed JSON";
    }
    if (e instanceof StreamConstraintsException) {
      String m = String.valueOf(((JsonProcessingException) e).getOriginalMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("nesting")) {
        return "JSON nesting deeper than " + maxDepth;
      }
      if (m.contains("number")) {
        return "JSON number too long";
      }
      if (m.contains("string") || m.contains("name")) {
        return "JSON string too long";
      }
      return "JSON document too large";
    }
    if (e instanceof JsonEOFException) {
      return "malformed JSON: unexpected end of input";
    }
    JsonLocation at = ((JsonProcessingException) e).getLocation();
    if (at != null && at.getLineNr() > 0) {
      return "malformed JSON at line " + at.getLineNr() + " column " + at.getColumnNr();
    }
    return "malformed JSON";
  }
}
