package dev.kiln.training.job;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kiln.training.data.ColumnPolicy;
import dev.kiln.training.data.DatasetManifest;
import java.time.Instant;
import java.util.List;

/**
 * What Kiln keeps of one dataset version and what was made from it: the manifest, then how its bytes are stored, its
 * column policy, how long it is kept, and the jobs and models that used it.
 *
 * @param stored how its bytes are kept
 * @param policy the column policy applied at upload (empty: none)
 * @param retention how long its name's versions are kept ({@code 30d}); null: for ever
 * @param expires when retention deletes it; null without retention
 * @param jobs the jobs trained or validated on it, oldest first
 * @param models the models deployed from those jobs, {@code model:version}
 */
public record DatasetReport(
    @JsonUnwrapped DatasetManifest manifest,
    Stored stored,
    ColumnPolicy policy,
    String retention,
    Instant expires,
    List<Long> jobs,
    List<String> models) {
  public DatasetReport {
    jobs = List.copyOf(jobs);
    models = List.copyOf(models);
  }

  /**
   * @param bytes the raw data's size (what was uploaded, after its policy)
   * @param format how it is read
   * @param store {@code artifact_store} or {@code data_folder}
   * @param artifacts objects its bytes take in the artifact store
   * @param encrypted whether those bytes are encrypted under the master key
   */
  public record Stored(long bytes, String format, String store, int artifacts, boolean encrypted) {}
}
