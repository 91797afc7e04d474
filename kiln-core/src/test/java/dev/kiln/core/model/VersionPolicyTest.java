package dev.kiln.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionPolicyTest {
  private static final List<Long> AVAILABLE = List.of(3L, 1L, 10L, 2L);

  @Test
  void latestPicksTheHighestVersionsNumericallyNotLexically() {
    assertThat(VersionPolicy.latest().select(AVAILABLE)).containsExactly(10L);
    assertThat(new VersionPolicy.Latest(2).select(AVAILABLE)).containsExactly(3L, 10L);
  }

  @Test
  void latestWithMoreThanAvailableServesEverything() {
    assertThat(new VersionPolicy.Latest(9).select(AVAILABLE)).containsExactly(1L, 2L, 3L, 10L);
    assertThat(new VersionPolicy.Latest(1).select(List.of())).isEmpty();
  }

  @Test
  void allServesEveryVersion() {
    assertThat(new VersionPolicy.All().select(AVAILABLE)).containsExactly(1L, 2L, 3L, 10L);
  }

  @Test
  void specificServesOnlyListedVersionsThatExist() {
    assertThat(new VersionPolicy.Specific(List.of(1L, 4L)).select(AVAILABLE)).containsExactly(1L);
  }

  @Test
  void emptyPoliciesAreRefused() {
    assertThatThrownBy(() -> new VersionPolicy.Latest(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VersionPolicy.Specific(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
