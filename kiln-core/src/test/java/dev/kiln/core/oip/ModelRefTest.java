package dev.kiln.core.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.access.Permission;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRefTest {
  @Test
  void anAliasInTheNameWinsOverTheAliasKey() {
    assertThat(ModelRef.of("mnist@production", "", "staging")).isEqualTo(new ModelRef("mnist", "", "production"));
    assertThat(ModelRef.of("mnist", "", "staging")).isEqualTo(new ModelRef("mnist", "", "staging"));
    assertThat(ModelRef.of("mnist", "", "staging").coreRef()).isEqualTo("mnist@staging");
    assertThat(ModelRef.latest("mnist").coreRef()).isEqualTo("mnist");
  }

  @Test
  void aVersionAndAnAliasTogetherAreRefused() {
    assertThatThrownBy(() -> ModelRef.of("mnist", "2", "production"))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageContaining("not both");
  }

  @Test
  void onlyUnloadDependentsIsAcceptedAsALoadParameter() {
    LoadParameters.check(List.of());
    LoadParameters.check(List.of("unload_dependents"));
    assertThatThrownBy(() -> LoadParameters.check(List.of("unload_dependents", "config", "file:1/model.onnx")))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED))
        .hasMessageContaining("config, file:1/model.onnx")
        .hasMessageNotContaining("unload_dependents");
  }

  @Test
  void statisticsWithoutANameAreAboutEveryModelAndNeedManage() {
    assertThat(OipOperation.statistics("")).isEqualTo(OipOperation.ALL_STATISTICS);
    assertThat(OipOperation.statistics("mlp")).isEqualTo(OipOperation.MODEL_STATISTICS);
    assertThat(OipOperation.ALL_STATISTICS.permission()).isEqualTo(Permission.MANAGE);
  }
}
