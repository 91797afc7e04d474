package dev.kiln.core.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class KilnExceptionTest {
  @Test
  void aRateLimitCarriesItsRetryAfterRoundedUpToWholeSeconds() {
    KilnException limited = KilnException.rateLimited("slow down", Duration.ofMillis(49_001));
    assertThat(limited.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
    assertThat(limited.retryAfter()).hasValue(Duration.ofMillis(49_001));
    assertThat(limited.retryAfterSeconds()).hasValue(50);
    assertThat(KilnException.rateLimited("x", Duration.ofSeconds(50)).retryAfterSeconds()).hasValue(50);
    assertThat(KilnException.rateLimited("x", Duration.ZERO).retryAfterSeconds()).hasValue(0);
  }

  @Test
  void otherErrorsHaveNoRetryAfter() {
    assertThat(KilnException.invalid("x").retryAfter()).isEmpty();
    assertThat(KilnException.denied("x").retryAfterSeconds()).isEmpty();
    assertThat(KilnException.unauthenticated("x").kind()).isEqualTo(ErrorKind.UNAUTHENTICATED);
  }

  @Test
  void refusalsCarryNoStackTrace() {
    assertThat(KilnException.denied("x").getStackTrace()).isEmpty();
    assertThat(KilnException.invalid("x").getStackTrace()).isNotEmpty();
  }

  @Test
  void aNegativeRetryAfterIsRefused() {
    assertThatThrownBy(() -> KilnException.retryable(ErrorKind.UNAVAILABLE, "x", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fromUnwrapsAndHidesForeignCauses() {
    KilnException k = KilnException.notFound("unknown model 'x'");
    assertThat(KilnException.from(new CompletionException(new ExecutionException(k)))).isSameAs(k);
    KilnException internal = KilnException.from(new IllegalStateException("/secret/path"));
    assertThat(internal.kind()).isEqualTo(ErrorKind.INTERNAL);
    assertThat(internal.getMessage()).isEqualTo("internal error");
  }
}
