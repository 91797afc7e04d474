package dev.kiln.govern.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScopeTest {
  @Test
  void aDatasetScopeNamesDatasetsByGlobAndAllowsOnlyReadingThem() {
    Scope s = Scope.parse("dataset:sales-*");
    assertThat(s.action()).isEqualTo(Action.DATASET);
    assertThat(s.models()).isEqualTo("sales-*");
    assertThat(s.toString()).isEqualTo("dataset:sales-*");
    assertThat(s.allows(Action.DATASET, "sales-eu")).isTrue();
    assertThat(s.allows(Action.DATASET, "sales")).isFalse();
    assertThat(s.allows(Action.DATASET, "hr-sales-eu")).isFalse();
    // Not a model scope, nor train: reading a dataset is all it grants.
    assertThat(s.allows(Action.INVOKE, "sales-eu")).isFalse();
    assertThat(s.allows(Action.TRAIN, null)).isFalse();
    assertThat(Scope.parse("dataset:sales").allows(Action.DATASET, "sales")).isTrue();
    assertThat(Scope.parse("dataset:sales").allows(Action.DATASET, "sales2")).isFalse();
  }

  @Test
  void aBareDatasetScopeMeansEveryDatasetAndAdminImpliesIt() {
    assertThat(Scope.parse("dataset").toString()).isEqualTo("dataset:*");
    assertThat(Scope.parse("dataset").allows(Action.DATASET, "anything")).isTrue();
    assertThat(Scope.parse("admin").allows(Action.DATASET, "anything")).isTrue();
    assertThat(Scope.parse("train").allows(Action.DATASET, "anything")).isFalse();
  }

  @Test
  void badDatasetScopesAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> Scope.parse("dataset:a/b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a/b' may hold only letters, digits, _ . - and *");
    assertThatThrownBy(() -> Scope.parse("dataset:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("may hold only");
    assertThatThrownBy(() -> Scope.parse("datasets:x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown action 'datasets' (one of invoke, manage, train, dataset, admin)");
  }
}
