package dev.kiln.http;

import dev.kiln.core.error.ErrorKind;
import java.util.Objects;
import java.util.Optional;

/**
 * OpenAI's one table from core errors to the {@code type} and {@code code} of its error envelope, which OpenAI SDKs
 * read (the status comes from {@link HttpErrors#status}, as for every route). Types are OpenAI's own: {@code
 * invalid_request_error}, {@code authentication_error}, {@code permission_error}, {@code rate_limit_error}, {@code
 * server_error}.
 */
public final class OpenAiErrors {
  /** The caller's request is wrong; also the row for errors of HTTP itself (OpenAI answers an unknown URL so). */
  static final Entry REQUEST = new Entry("invalid_request_error", Optional.empty());

  private static final Entry SERVER = new Entry("server_error", Optional.empty());

  /**
   * One row of the table.
   *
   * @param code OpenAI's machine-readable code, where it has one for the kind ({@code null} in the envelope if not)
   */
  public record Entry(String type, Optional<String> code) {
    public Entry {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(code, "code");
    }
  }

  private OpenAiErrors() {}

  public static Entry of(ErrorKind kind) {
    return switch (kind) {
      case INVALID_ARGUMENT -> REQUEST;
      case NOT_FOUND -> new Entry("invalid_request_error", Optional.of("model_not_found"));
      case UNAVAILABLE -> SERVER;
      case RESOURCE_EXHAUSTED -> SERVER;
      case TOO_LARGE -> REQUEST;
      case DEADLINE_EXCEEDED -> SERVER;
      case UNSUPPORTED -> SERVER;
      case FAILED_PRECONDITION -> REQUEST;
      case CONFLICT -> REQUEST;
      case UNAUTHENTICATED -> new Entry("authentication_error", Optional.of("invalid_api_key"));
      case PERMISSION_DENIED -> new Entry("permission_error", Optional.empty());
      case RATE_LIMITED -> new Entry("rate_limit_error", Optional.of("rate_limit_exceeded"));
      case INTERNAL -> SERVER;
    };
  }
}
