package dev.kiln.core.llm;

/**
 * Where the tokens a request used are charged: the gate's usage and quota path (the same one that counts requests),
 * called by the language-model service when a generation or an embedding ends, so no protocol adapter charges.
 */
@FunctionalInterface
public interface TokenUsage {
  /** {@code principal} used {@code tokens} (prompt + completion) of {@code model}. */
  void charge(String principal, String model, long tokens);

  TokenUsage NONE = (principal, model, tokens) -> {};
}
