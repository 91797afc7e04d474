package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.server.LlmConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code kiln serve}'s fairness and request-limit options for language models, as the server gets them. */
class ServeLlmOptionsTest {
  static LlmConfig parse(String... args) {
    ServeLlmOptions o = new ServeLlmOptions();
    new CommandLine(o).registerConverter(Duration.class, Durations::parse).parseArgs(args);
    return o.config();
  }

  @Test
  void byDefaultAKeyMayHoldHalfTheQueueAndTheCapsFollowTheContext() {
    LlmConfig c = parse();
    assertThat(c.queue()).isEqualTo(64);
    assertThat(c.queuePerKey()).isEqualTo(32);
    assertThat(c.maxTokens()).isZero();
    assertThat(c.maxPromptBytes()).isZero();
    assertThat(parse("--llm-queue", "9").queuePerKey()).isEqualTo(5);
  }

  @Test
  void eachLimitCanBeSet() {
    LlmConfig c =
        parse(
            "--llm-queue",
            "100",
            "--llm-queue-per-key",
            "10",
            "--llm-max-tokens",
            "512",
            "--llm-max-prompt-bytes",
            "65536");
    assertThat(c.queuePerKey()).isEqualTo(10);
    assertThat(c.maxTokens()).isEqualTo(512);
    assertThat(c.maxPromptBytes()).isEqualTo(65536);
  }

  @Test
  void negativeLimitsAreRefused() {
    assertThatThrownBy(() -> parse("--llm-queue-per-key", "-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("--llm-max-tokens", "-5")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("--llm-max-prompt-bytes", "x")).isInstanceOf(CommandLine.ParameterException.class);
  }
}
