package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetPreparerTest {
  private static final DatasetRef REF = new DatasetRef("d", 1, "00");
  @TempDir Path dir;

  private PreparedData prepare(Path file, DatasetOptions read, PrepareOptions options) {
    return DatasetPreparer.prepare(DatasetReader.read(file, read), read.task(), options, REF);
  }

  @Test
  void digitsBecomeSixtyFourStandardisedFeaturesWithTenClasses() {
    PreparedData d = prepare(SampleData.digitsCsv(dir), DatasetOptions.csv("digit"), PrepareOptions.defaults());
    assertThat(d.inputShape()).containsExactly(64);
    assertThat(d.task().classCount()).isEqualTo(10);
    assertThat(d.train().count() + d.validation().count() + d.test().count()).isEqualTo(1797);
    assertThat(d.test().count()).isEqualTo(180);
    assertThat(d.train().rowSize()).isEqualTo(64);
    // Fitted on train: each column's training mean is ~0 (constant columns stay at 0).
    double sum = 0;
    for (int r = 0; r < d.train().count(); r++) {
      sum += d.train().features()[r * 64 + 20];
    }
    assertThat(sum / d.train().count()).isCloseTo(0, within(1e-4));
    assertThat(d.source()).isEqualTo(REF);
  }

  @Test
  void linearDataIsRegressionWithRawTargets() {
    Path f = SampleData.linear(dir.resolve("lin.csv"), 200, 1);
    PreparedData d = prepare(f, DatasetOptions.csv("y"), PrepareOptions.defaults().withScaling(Scaling.NONE));
    assertThat(d.task().classification()).isFalse();
    for (int i = 0; i < d.train().count(); i++) {
      assertThat(d.train().targets()[i]).isCloseTo(2 * d.train().features()[i] + 1, within(0.5f));
    }
  }

  @Test
  void missingValuePoliciesErrorDropOrImputeFromTraining() throws Exception {
    Path f = Files.writeString(dir.resolve("m.csv"), "a,b,label\n1,x,p\n2,y,q\n3,NA,p\n,x,q\n5,y,p\n6,x,q\n");
    assertThatThrownBy(() -> prepare(f, DatasetOptions.csv("label"), PrepareOptions.defaults()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("m.csv: row 3, column 'b': missing value (choose drop, mean, median or mode)");
    PrepareOptions none = PrepareOptions.defaults().withSplit(0, 0, 1).withScaling(Scaling.NONE);
    assertThat(prepare(f, DatasetOptions.csv("label"), none.withMissing(MissingPolicy.DROP)).train().count())
        .isEqualTo(4);
    PreparedData mean = prepare(f, DatasetOptions.csv("label"), none.withMissing(MissingPolicy.MEAN));
    TabularPreprocessing p = (TabularPreprocessing) mean.preprocessing();
    assertThat(p.numeric().getFirst().fill()).isEqualTo(3.4f);
    assertThat(p.categorical().getFirst().fill()).isEqualTo("x");
  }

  @Test
  void missingLabelIsAnErrorUnlessDropped() throws Exception {
    Path f = Files.writeString(dir.resolve("l.csv"), "a,label\n1,p\n2,\n3,q\n4,p\n");
    PrepareOptions o = PrepareOptions.defaults().withSplit(0, 0, 1).withMissing(MissingPolicy.MEAN);
    assertThatThrownBy(() -> prepare(f, DatasetOptions.csv("label"), o))
        .hasMessage("l.csv: row 2, column 'label': missing value (a missing label can only be dropped)");
  }

  @Test
  void imageFolderPreparesChannelsFirstScaledPixels() {
    Path root = SampleData.bars(dir.resolve("bars"), 10, 5);
    PreparedData d =
        prepare(root, DatasetOptions.detect().withChannels(1), PrepareOptions.defaults().withSplit(0.2, 0, 1));
    assertThat(d.inputShape()).containsExactly(1, 8, 8);
    assertThat(d.task().classes()).containsExactly("horizontal", "vertical");
    assertThat(d.train().count()).isEqualTo(16);
    for (float v : d.train().features()) {
      assertThat(v).isBetween(0f, 1f);
    }
  }

  @Test
  void textCsvPreparesPaddedTokenIdsWithAFittedLength() {
    Path f = SampleData.sentiment(dir.resolve("s.csv"), 60, 2);
    PreparedData d = prepare(f, DatasetOptions.textCsv("text", "label"), PrepareOptions.defaults());
    TextPreprocessing p = (TextPreprocessing) d.preprocessing();
    assertThat(d.inputShape()).containsExactly(p.maxLength());
    assertThat(p.maxLength()).isBetween(5, 13);
    assertThat(d.task().classes()).containsExactly("negative", "positive");
    assertThat(p.vocabulary()).contains("the", "really").doesNotContain("The");
  }

  @Test
  void imagesCannotBeRegression() {
    Path root = SampleData.bars(dir.resolve("bars"), 4, 5);
    assertThatThrownBy(() ->
            DatasetPreparer.prepare(
                DatasetReader.read(root, DatasetOptions.detect()),
                Task.Type.REGRESSION,
                PrepareOptions.defaults(),
                REF))
        .hasMessage("bars: images and texts support classification only");
  }

  @Test
  void textLengthDefaultsToThe95thPercentileCappedAt256() {
    assertThat(
            TextFitter.percentileLength(
                new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100}))
        .isEqualTo(19);
    assertThat(TextFitter.percentileLength(new int[] {1000})).isEqualTo(256);
    assertThat(TextFitter.percentileLength(new int[] {0, 0})).isEqualTo(1);
    assertThat(TextFitter.fit(List.of("b a a", "c b a"), 2, null).vocabulary()).containsExactly("a", "b");
  }
}
