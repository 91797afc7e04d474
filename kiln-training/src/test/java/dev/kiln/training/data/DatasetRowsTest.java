package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetRowsTest {
  @TempDir Path dir;

  @Test
  void picksRowsByNumberInTheOrderAskedAsCommaSeparatedCsv() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("m.csv"), "a;note;label\n1;plain;p\n\n2;\"semi;colon, and \"\"q\"\"\";q\n3;x;p\n");
    FileDatasetStore store = new FileDatasetStore(dir.resolve("store"));
    store.add("m", f, DatasetOptions.csv("label").withDelimiter(';'));
    StoredDataset stored = store.get("m", 1).orElseThrow();
    String csv = new String(DatasetRows.csv(stored, List.of(2, 1)), StandardCharsets.UTF_8);
    assertThat(csv).isEqualTo("a,note,label\n3,x,p\n2,\"semi;colon, and \"\"q\"\"\",q\n");
    assertThatThrownBy(() -> DatasetRows.csv(stored, List.of(3)))
        .isInstanceOf(DatasetException.class)
        .hasMessage("row 3: past the end of dataset m");
  }

  @Test
  void predictionsBecomeALastColumnOnePerRow() throws Exception {
    Path f = Files.writeString(dir.resolve("t.csv"), "text,label\n\"模型, GPU\",a\nplain,b\n");
    FileDatasetStore store = new FileDatasetStore(dir.resolve("store"));
    store.add("t", f, DatasetOptions.textCsv("text", "label"));
    StoredDataset stored = store.get("t", 1).orElseThrow();
    String csv = new String(DatasetRows.csv(stored, List.of(1, 0), List.of("a", "a")), StandardCharsets.UTF_8);
    assertThat(csv).isEqualTo("text,label,prediction\nplain,b,a\n\"模型, GPU\",a,a\n");
    assertThatThrownBy(() -> DatasetRows.csv(stored, List.of(1, 0), List.of("a")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anImageFolderHasNoRowsAsCsv() {
    Path bars = SampleData.bars(dir.resolve("bars"), 4, 1);
    FileDatasetStore store = new FileDatasetStore(dir.resolve("store"));
    store.add("bars", bars, DatasetOptions.detect());
    assertThatThrownBy(() -> DatasetRows.csv(store.get("bars", 1).orElseThrow(), List.of(0)))
        .isInstanceOf(DatasetException.class)
        .hasMessage("dataset bars is image_folder, not csv: its rows have no CSV");
  }
}
