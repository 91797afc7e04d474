package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TabularReaderTest {
  @TempDir Path dir;

  @Test
  void detectsNumericAndCategoricalColumnsAndKeepsMissingValues() throws Exception {
    Path f = Files.writeString(dir.resolve("p.csv"), "age,city,label\n31,Oslo,yes\nNA,Rome,no\n2.5e1,?,yes\n");
    TabularData t = TabularReader.read(f, DatasetOptions.csv("label"));
    assertThat(t.columns())
        .extracting(TabularData.Column::kind)
        .containsExactly(ColumnKind.NUMERIC, ColumnKind.CATEGORICAL);
    assertThat(t.columns().get(0).numbers()).containsExactly(31, Double.NaN, 25);
    assertThat(t.columns().get(1).strings()).containsExactly("Oslo", "Rome", null);
    assertThat(t.labels()).containsExactly("yes", "no", "yes");
  }

  @Test
  void forcedKindsWinOverDetection() throws Exception {
    Path f = Files.writeString(dir.resolve("z.csv"), "zip,v,label\n1000,x,a\n2000,y,b\n");
    TabularData t =
        TabularReader.read(
            f, DatasetOptions.csv("label").withFeatures(List.of("zip"), Map.of("zip", ColumnKind.CATEGORICAL)));
    assertThat(t.columnNames()).containsExactly("zip");
    assertThat(t.columns().get(0).strings()).containsExactly("1000", "2000");
    assertThatThrownBy(() ->
            TabularReader.read(
                f, DatasetOptions.csv("label").withFeatures(List.of("v"), Map.of("v", ColumnKind.NUMERIC))))
        .hasMessage("z.csv: row 1, column 'v': 'x' is not a number (column forced numeric)");
  }

  @Test
  void unknownLabelColumnListsTheColumns() throws Exception {
    Path f = Files.writeString(dir.resolve("u.csv"), "a,b\n1,2\n");
    assertThatThrownBy(() -> TabularReader.read(f, DatasetOptions.csv("target")))
        .isInstanceOf(DatasetException.class)
        .hasMessage("u.csv: no column named 'target' (columns: a, b)");
  }

  @Test
  void headerOnlyFileIsAnEmptyDataset() throws Exception {
    Path f = Files.writeString(dir.resolve("h.csv"), "a,b\n");
    assertThatThrownBy(() -> TabularReader.read(f, DatasetOptions.csv("b"))).hasMessage("h.csv: no data rows");
  }

  @Test
  void bundledDigitsReadAsSixtyFourNumericColumnsAndTenClasses() {
    TabularData t = TabularReader.read(SampleData.digitsCsv(dir), DatasetOptions.csv("digit"));
    assertThat(t.size()).isEqualTo(1797);
    assertThat(t.columns()).hasSize(64).allMatch(c -> c.kind() == ColumnKind.NUMERIC);
    Task task = TaskInference.infer("digit", t.labels(), null, t.source());
    assertThat(task.classes()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  }
}
