package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SweepTableTest {
  static JsonNode sweep(String state, String trial2, String best) throws Exception {
    return ApiJson.MAPPER.readTree(
        """
        {"id": 4, "state": "%s", "strategy": "random", "objective": {"metric": "val_accuracy", "direction": "max"},
         %s
         "trials": [
           {"number": 1, "job": 10, "settings": {"learning_rate": 0.0031622, "optimizer": "adam"}, "state": "SUCCEEDED",
            "objective": 0.91, "epochs": 4, "stopped_early": true},
           {"number": 2, "job": 11, "settings": {"learning_rate": 0.01, "optimizer": "sgd"}, %s}]}
        """
            .formatted(state, best, trial2));
  }

  @Test
  void theTableMarksTheBestAndShowsEachTrialsSettingsStateEpochsAndObjective() throws Exception {
    JsonNode s =
        sweep(
            "SUCCEEDED",
            "\"state\": \"FAILED\", \"epochs\": 1, \"error\": \"diverged\"",
            "\"best\": 1, \"best_job\": 10, \"best_value\": 0.91,");
    assertThat(String.join("\n", SweepTable.render(s)))
        .isEqualTo(
            """
            sweep 4  SUCCEEDED  random, objective val_accuracy (max)
              TRIAL    JOB STATE      EPOCHS VAL_ACCURACY  SETTINGS
             *     1     10 SUCCEEDED     4es      0.91000  learning_rate=0.003162, optimizer=adam
                   2     11 FAILED          1            -  learning_rate=0.01, optimizer=sgd
            best: trial 1 (learning_rate=0.003162, optimizer=adam) val_accuracy 0.91000, job 10\
            """);
  }

  @Test
  void onATerminalTheTableIsRedrawnInPlaceElsewhereFinishedTrialsArePrintedOnce() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    SweepTable live = new SweepTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
    live.update(sweep("RUNNING", "\"state\": \"RUNNING\", \"epochs\": 2", ""));
    String first = bytes.toString(StandardCharsets.UTF_8);
    assertThat(first).doesNotContain("\033[4F").contains("\033[2K  TRIAL");
    live.update(sweep("RUNNING", "\"state\": \"RUNNING\", \"epochs\": 3", ""));
    // Back up over the four lines drawn, then draw them again.
    assertThat(bytes.toString(StandardCharsets.UTF_8).substring(first.length())).startsWith("\033[4F\033[2Ksweep 4");

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SweepTable lines = new SweepTable(new PrintStream(log, true, StandardCharsets.UTF_8), false);
    lines.update(sweep("RUNNING", "\"state\": \"RUNNING\", \"epochs\": 2", ""));
    lines.update(sweep("RUNNING", "\"state\": \"FAILED\", \"epochs\": 2, \"error\": \"diverged\"", ""));
    assertThat(log.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "trial 1 succeeded: val_accuracy 0.91000 (learning_rate=0.003162, optimizer=adam)\n"
                + "trial 2 failed: diverged (learning_rate=0.01, optimizer=sgd)\n");
  }
}
