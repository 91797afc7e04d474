package dev.kiln.training.job;

import java.util.Locale;

/**
 * Which jobs a listing shows; each filter may be null (not filtered on). Stores on a database filter in SQL, the file
 * store with {@link #matches}: both must agree.
 *
 * @param state only jobs in this state
 * @param dataset only jobs trained on this dataset (its exact name)
 * @param text only jobs whose dataset name or model type ({@code sequential}, {@code logistic_regression}, ...)
 *     contains this, ignoring case
 * @param sweep only the trials of this sweep
 * @param createdBy only the jobs this key submitted: a caller that is not an admin sees no other
 */
public record JobFilter(JobState state, String dataset, String text, Long sweep, String createdBy) {
  /** Every job. */
  public static final JobFilter ALL = new JobFilter(null, null, null, null, null);

  public JobFilter {
    text = text == null || text.isEmpty() ? null : text.toLowerCase(Locale.ROOT);
  }

  /** The same filter, narrowed to the jobs {@code key} submitted. */
  public JobFilter createdBy(String key) {
    return new JobFilter(state, dataset, text, sweep, key);
  }

  /** Whether {@code job} passes every filter. */
  public boolean matches(Job job) {
    return (state == null || job.state() == state)
        && (dataset == null || dataset.equals(job.request().dataset()))
        && (text == null || searched(job).contains(text))
        && (sweep == null || (job.sweep() != null && job.sweep().id() == sweep))
        && (createdBy == null || createdBy.equals(job.createdBy()));
  }

  /** What {@link #text} is searched in, as the database's column holds it (lower-cased by the query). */
  static String searched(Job job) {
    JobRequest r = job.request();
    String type = r.model() == null ? "" : modelType(r);
    return ((r.dataset() == null ? "" : r.dataset()) + " " + type).toLowerCase(Locale.ROOT);
  }

  /** The model type as the job's JSON writes it ({@code logistic_regression}). */
  public static String modelType(JobRequest r) {
    return r.model().type().name().toLowerCase(Locale.ROOT);
  }
}
