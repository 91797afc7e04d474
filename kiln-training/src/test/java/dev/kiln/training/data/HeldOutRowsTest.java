package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Explicit validation data: a split column that assigns rows, and a second dataset validated on. */
class HeldOutRowsTest {
  private static final DatasetRef REF = new DatasetRef("d", 1, "00");
  private static final DatasetOptions CSV = DatasetOptions.csv("label");
  @TempDir Path dir;

  private RawDataset read(String name, String csv) throws Exception {
    return DatasetReader.read(Files.writeString(dir.resolve(name), csv), CSV);
  }

  private PreparedData prepare(RawDataset raw, PrepareOptions o, Optional<HeldOutData> validation) {
    return DatasetPreparer.prepare(raw, null, o, REF, validation);
  }

  @Test
  void aSplitColumnAssignsEachRowInAnyCaseAndIsNotAFeature() throws Exception {
    RawDataset raw =
        read("s.csv", "x,part,label\n1,train,a\n2,TEST,b\n3,Train,b\n4,validation,a\n5,train,a\n6,test,a\n7,train,b\n");
    PreparedData d = prepare(raw, PrepareOptions.defaults().withSplitColumn("part"), Optional.empty());
    assertThat(d.inputShape()).containsExactly(1);
    assertThat(d.rows().train()).containsExactly(0, 2, 4, 6);
    assertThat(d.rows().validation()).containsExactly(3);
    assertThat(d.rows().test()).containsExactly(1, 5);
    assertThat(d.validation().count()).isEqualTo(1);
    // Standardised on the four train rows only (1, 3, 5, 7: mean 4), so validation row 4 is at 0.
    assertThat(d.validation().features()[0]).isCloseTo(0f, within(1e-6f));
  }

  @Test
  void aSplitColumnWithAnUnknownValueOrNoTrainRowsIsANamedError() throws Exception {
    PrepareOptions o = PrepareOptions.defaults().withSplitColumn("part");
    assertThatThrownBy(() -> prepare(read("u.csv", "x,part,label\n1,train,a\n2,holdout,b\n"), o, Optional.empty()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("training.split_column: row 2 of u.csv has 'holdout' (expected: train, validation or test)");
    assertThatThrownBy(() -> prepare(read("e.csv", "x,part,label\n1,test,a\n2,validation,b\n"), o, Optional.empty()))
        .hasMessage("training.split_column: no row of e.csv is marked train");
    assertThatThrownBy(() ->
            prepare(
                read("n.csv", "x,label\n1,a\n2,b\n"), PrepareOptions.defaults().withSplitColumn("p"), Optional.empty()))
        .hasMessage("training.split_column: no column 'p' in n.csv (columns: [x])");
  }

  @Test
  void aValidationDatasetIsPreparedWithTheTrainingFitAndItsRowsRecorded() throws Exception {
    StringBuilder csv = new StringBuilder("x,label\n");
    for (int i = 0; i < 20; i++) {
      csv.append(i).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
    }
    RawDataset train = read("t.csv", csv.toString());
    RawDataset validation = read("v.csv", "x,label\n100,a\n200,b\n300,a\n");
    PreparedData d =
        prepare(train, PrepareOptions.defaults().withSplit(0, 0, 1), Optional.of(new HeldOutData("v@1", validation)));
    TabularPreprocessing pre = (TabularPreprocessing) d.preprocessing();
    TabularPreprocessing.NumericFit fit = pre.numeric().getFirst();
    assertThat(fit.offset()).isCloseTo(9.5f, within(1e-5f)); // the training rows' mean, not moved by 100..300
    assertThat(d.validation().count()).isEqualTo(3);
    assertThat(d.validation().features()[2]).isCloseTo((300 - 9.5f) / fit.scale(), within(1e-3f));
    assertThat(d.validation().targets()).containsExactly(0f, 1f, 0f);
    assertThat(d.rows().validation()).containsExactly(0, 1, 2);
    assertThat(d.rows().train()).hasSize(20);
  }

  @Test
  void aValidationDatasetWithOtherColumnsOrClassesIsRefusedNamingTheField() throws Exception {
    RawDataset train = read("t.csv", "x,label\n1,a\n2,b\n3,a\n4,b\n");
    PrepareOptions o = PrepareOptions.defaults().withSplit(0, 0, 1);
    assertThatThrownBy(() -> prepare(train, o, Optional.of(new HeldOutData("v@1", read("v.csv", "y,label\n1,a\n")))))
        .isInstanceOf(DatasetException.class)
        .hasMessage(
            "training.validation_dataset: v@1 has columns [y] and label 'label'; the training data has [x] and"
                + " label 'label'");
    assertThatThrownBy(() -> prepare(train, o, Optional.of(new HeldOutData("w@1", read("w.csv", "x,label\n1,c\n")))))
        .hasMessage("training.validation_dataset: row 1 of w@1 has label 'c', not one of the training classes [a, b]");
  }

  @Test
  void aTextValidationDatasetUsesTheTrainingVocabulary() {
    TextData train =
        new TextData(
            "t",
            List.of("good film", "bad film", "good plot", "bad plot", "good good", "bad bad"),
            List.of("pos", "neg", "pos", "neg", "pos", "neg"));
    TextData validation = new TextData("v", List.of("superb film", "bad"), List.of("pos", "neg"));
    PreparedData d =
        DatasetPreparer.prepare(
            train,
            null,
            PrepareOptions.defaults().withSplit(0, 0, 1).withText(100, 2),
            REF,
            Optional.of(new HeldOutData("v@1", validation)));
    TextPreprocessing pre = (TextPreprocessing) d.preprocessing();
    assertThat(pre.vocabulary()).doesNotContain("superb");
    assertThat(d.validation().count()).isEqualTo(2);
    // "superb" is unknown to the training vocabulary: id 1, not a new entry.
    assertThat(d.validation().features()[0]).isEqualTo((float) TextPreprocessing.UNKNOWN);
    assertThat(d.validation().features()[1]).isEqualTo((float) pre.ids("film")[0]);
    assertThat(d.rows().validation()).containsExactly(0, 1);
  }
}
