package dev.kiln.training.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.data.Split;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldOutTest {
  private static final String MODEL = "type: logistic_regression\n";
  @TempDir Path dir;

  private static JobRequest request(String spec, TrainingSettings overrides) {
    return new JobRequest("d", null, ModelSpecReader.read(spec), overrides, null);
  }

  /** The settings a submitted request runs with, after the checks submission makes. */
  private static TrainingSettings submitted(JobRequest r) {
    TrainingSettings s = TrainingJobWork.requested(r);
    HeldOut.check(r, s);
    return s;
  }

  private static TrainingSettings overrides(String json) {
    return ModelSpecReader.read("{\"training\":" + json + "}", ModelSpecReader.Format.JSON).training();
  }

  @Test
  void aValidationDatasetTakesTheValidationFractionsPlaceUnlessOneIsGivenExplicitly() {
    TrainingSettings s = submitted(request(MODEL, overrides("{\"validation_dataset\":\"v@2\"}")));
    assertThat(s.validationSplit()).isZero();
    assertThat(s.testSplit()).isEqualTo(0.2);
    assertThat(s.validates()).isTrue();
    assertThat(
            submitted(request(MODEL, overrides("{\"validation_dataset\":\"v\",\"validation_split\":0}")))
                .validationSplit())
        .isZero();
    assertThatThrownBy(() ->
            submitted(
                request(MODEL + "training: {validation_split: 0.3}", overrides("{\"validation_dataset\":\"v\"}"))))
        .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT))
        .hasMessageStartingWith("training.validation_dataset: epochs validate on v; validation_split 0.3");
    assertThatThrownBy(() -> submitted(request(MODEL, overrides("{\"validation_dataset\":\"v@x\"}"))))
        .hasMessage("training.validation_dataset: 'v@x' (expected: NAME or NAME@VERSION)");
  }

  @Test
  void aSplitColumnRefusesExplicitFractions() {
    TrainingSettings s = submitted(request(MODEL, overrides("{\"split_column\":\"part\"}")));
    assertThat(s.validationSplit()).isZero();
    assertThat(s.testSplit()).isZero();
    assertThatThrownBy(() -> submitted(request(MODEL, overrides("{\"split_column\":\"part\",\"test_split\":0.25}"))))
        .hasMessage(
            "training.split_column: the column 'part' assigns every row; leave out validation_split and test_split");
  }

  @Test
  void recordedSplitsNameTheValidationDatasetAndItsRowCount() throws Exception {
    Split rows = new Split(new int[] {0, 2}, new int[] {0, 1, 2}, new int[] {1});
    JobSplits.of(new DatasetRef("d", 1, "ab"), rows, Optional.of(new DatasetRef("v", 2, "cd")), null).write(dir);
    assertThat(Files.readString(dir.resolve("splits.json")))
        .isEqualTo(
            "{\"dataset\":\"d\",\"version\":1,\"sha256\":\"ab\",\"train\":[0,2],\"validation\":[0,1,2],\"test\":[1],"
                + "\"validation_dataset\":{\"name\":\"v\",\"version\":2,\"sha256\":\"cd\",\"rows\":3}}");
    assertThat(JobSplits.read(dir)).hasValueSatisfying(s -> assertThat(s.validationDataset().rows()).isEqualTo(3));
  }
}
