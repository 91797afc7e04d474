package dev.kiln.core.llm;

import java.util.List;
import java.util.Objects;

/**
 * One generated token with its log-probability under the model (natural log, at most 0), and the likeliest tokens at
 * that position, likeliest first. Plain data, so it can cross a process boundary as it is.
 *
 * @param token the token's text (a token that ends inside a UTF-8 character shows U+FFFD; {@code bytes} is exact)
 * @param bytes the token's UTF-8 bytes
 * @param top the likeliest tokens at this position (empty for an entry of another's {@code top}, and when none were
 *     asked for); the chosen token appears in it, with the same log-probability, when it is among them
 */
public record TokenLogprob(String token, byte[] bytes, double logprob, List<TokenLogprob> top) {
  public TokenLogprob {
    Objects.requireNonNull(token, "token");
    bytes = bytes.clone();
    top = List.copyOf(top);
    if (!(logprob <= 0)) {
      throw new IllegalArgumentException("logprob: " + logprob + " (expected: <= 0)");
    }
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }
}
