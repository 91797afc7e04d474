package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln datasets show NAME@V}, {@code delete} and {@code retention} against a server without a database (the file
 * stores): the report says the bytes are plain files, a version deletes, retention is refused naming the database.
 */
class DatasetDeletionCliTest extends TrainingServerCli {
  @Test
  void showDeleteAndRetentionOnTheFileStores() throws Exception {
    StringBuilder rows = new StringBuilder("x,y\n");
    for (int i = 0; i < 20; i++) {
      rows.append(i).append(',').append(2 * i + 1).append('\n');
    }
    Path csv = Files.writeString(files.resolve("line.csv"), rows);
    for (int v = 1; v <= 2; v++) {
      Run add = kiln("datasets", "add", csv.toString(), "--label", "y", "--url", url);
      assertThat(add.exit()).as(add.err()).isZero();
    }
    Run show = kiln("datasets", "show", "line@1", "--url", url);
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("\"version\" : 1", "\"store\" : \"data_folder\"", "\"encrypted\" : false", "\"jobs\" : [ ]");
    assertThat(kiln("datasets", "show", "line", "--url", url).out()).contains("\"version\" : 2");

    Run retention = kiln("datasets", "retention", "line", "30d", "--url", url);
    assertThat(retention.exit()).isNotZero();
    assertThat(retention.err()).contains("database");
    assertThat(kiln("datasets", "retention", "line", "soon", "--url", url).err()).contains("30d");
    Run kept = kiln("datasets", "add", csv.toString(), "--label", "y", "--retention", "30d", "--url", url);
    assertThat(kept.err()).contains("database");
    assertThat(data.resolve("datasets/line/3")).as("refused before anything is stored").doesNotExist();

    Run unnamed = kiln("datasets", "delete", "line", "--url", url);
    assertThat(unnamed.exit()).isNotZero();
    assertThat(unnamed.err()).contains("NAME@VERSION");
    Run delete = kiln("datasets", "delete", "line@1", "--reason", "test", "--url", url);
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("deleted dataset line version 1");
    assertThat(kiln("datasets", "show", "line@1", "--url", url).exit()).isNotZero();
    assertThat(kiln("datasets", "list", "--url", url).out()).doesNotContain("line      1");
    assertThat(data.resolve("datasets/line/1")).doesNotExist();
    assertThat(data.resolve("datasets/line/2")).isDirectory();
  }
}
