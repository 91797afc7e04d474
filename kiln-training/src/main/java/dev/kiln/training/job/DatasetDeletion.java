package dev.kiln.training.job;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetStore;
import dev.kiln.training.data.DatasetTombstone;
import java.util.List;
import java.util.Objects;

/**
 * Deleting a dataset version and every byte derived from it: the version's own bytes (and this replica's cached copy),
 * and the files of every job trained or validated on it (splits record, checkpoints, exported model). The jobs stay,
 * with their metrics and lineage, and their lineage shows the version's {@link DatasetTombstone}.
 *
 * <p>The rules, the same for an owner's delete and for retention: a job queued or running on the version is a {@code
 * CONFLICT} (it would read bytes being deleted; retention tries again at its next sweep). A model deployed from a job
 * trained on it is a {@code CONFLICT} naming the models unless {@code force}: with it, and always at the end of
 * retention, the models keep serving (their ONNX file holds weights, not rows) and their job's lineage shows the
 * tombstone. Of several deleters of one version (an owner, sweepers on several replicas) exactly one succeeds; the
 * others find no version ({@code NOT_FOUND}).
 */
public final class DatasetDeletion {
  /**
   * A deletion done.
   *
   * @param jobs the jobs whose files were deleted
   * @param models the models deployed from those jobs ({@code model:version}), which keep serving
   */
  public record Outcome(DatasetTombstone tombstone, List<Long> jobs, List<String> models) {}

  private final DatasetStore datasets;
  private final JobStore jobs;

  public DatasetDeletion(DatasetStore datasets, JobStore jobs) {
    this.datasets = Objects.requireNonNull(datasets, "datasets");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
  }

  /**
   * @param by the key id deleting it, or {@link DatasetTombstone#RETENTION}
   * @param force delete even though models deployed from it are served (they keep serving)
   */
  public Outcome delete(String name, int version, String by, String reason, boolean force) {
    List<Job> used = usedBy(jobs.list(), name, version);
    List<Long> active = used.stream().filter(j -> !j.state().finished()).map(Job::id).toList();
    String what = "dataset " + name + " version " + version;
    if (!active.isEmpty()) {
      throw new KilnException(
          ErrorKind.CONFLICT,
          what + " is in use by queued or running jobs " + active + ": cancel them or let them end");
    }
    List<String> models = models(used);
    if (!models.isEmpty() && !force) {
      throw new KilnException(
          ErrorKind.CONFLICT,
          what
              + " trained served models "
              + models
              + ": delete with force=true to delete it anyway (they keep serving; their lineage shows the deletion)");
    }
    DatasetTombstone tombstone =
        datasets
            .delete(name, version, by, reason)
            .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no " + what));
    used.forEach(j -> jobs.deleteFiles(j.id()));
    return new Outcome(tombstone, used.stream().map(Job::id).toList(), models);
  }

  /** The jobs among {@code all} that trained (or will train) on the version, or validated on it. */
  public static List<Job> usedBy(List<Job> all, String name, int version) {
    return all.stream().filter(j -> uses(j, name, version)).toList();
  }

  /** The models deployed from {@code jobs}, as {@code model:version}. */
  public static List<String> models(List<Job> jobs) {
    return jobs.stream()
        .flatMap(j -> j.deployments().stream())
        .map(d -> d.model() + ":" + d.version())
        .distinct()
        .toList();
  }

  private static boolean uses(Job j, String name, int version) {
    JobRequest r = j.request();
    if (r == null) {
      return false;
    }
    boolean trained =
        name.equals(r.dataset())
            && (Integer.valueOf(version).equals(r.datasetVersion())
                || (j.lineage() != null
                    && j.lineage().dataset() != null
                    && j.lineage().dataset().version() == version));
    boolean validated = r.training() != null && (name + "@" + version).equals(r.training().validationDataset());
    return trained || validated;
  }
}
