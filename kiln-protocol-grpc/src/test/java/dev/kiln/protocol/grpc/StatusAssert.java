package dev.kiln.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts a call fails with a status code and a message that helps the caller and leaks nothing internal. */
final class StatusAssert {
  private StatusAssert() {}

  static void assertStatus(ThrowingCallable call, Status.Code code, String... fragments) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              String description = e.getStatus().getDescription();
              assertThat(description)
                  .isNotBlank()
                  .doesNotContain("Exception", "dev.kiln", "\tat ", System.getProperty("java.io.tmpdir"));
              for (String f : fragments) {
                assertThat(description).contains(f);
              }
            });
  }
}
