package dev.kiln.protocol.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.kiln.core.error.KilnException;

/**
 * Caller-facing messages for JSON that could not be read. Jackson's own messages name its classes and methods
 * ({@code StreamReadConstraints.getMaxNestingDepth()}) and echo the source; callers get Kiln's words and a
 * position instead.
 */
final class JsonErrors {
  private JsonErrors() {}

  /** INVALID_ARGUMENT describing {@code e}; {@code maxDepth} is the nesting limit the parser was built with. */
  static KilnException invalid(JsonProcessingException e, int maxDepth) {
    return KilnException.invalid(describe(e, maxDepth));
  }

  static String describe(JsonProcessingException e, int maxDepth) {
    if (e instanceof StreamConstraintsException) {
      String m = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
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
    JsonLocation at = e.getLocation();
    if (at != null && at.getLineNr() > 0) {
      return "malformed JSON at line " + at.getLineNr() + " column " + at.getColumnNr();
    }
    return "malformed JSON";
  }
}
