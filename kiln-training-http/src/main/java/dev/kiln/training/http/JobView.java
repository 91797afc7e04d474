package dev.kiln.training.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.kiln.training.data.DatasetTombstone;
import dev.kiln.training.job.Job;

/**
 * A job as {@code GET /api/v1/jobs/{id}} shows it: the job, and when its dataset version was deleted, who did it, when
 * and why ({@code dataset_deleted}; absent while the version is there).
 */
record JobView(@JsonUnwrapped Job job, DatasetTombstone.Deleted datasetDeleted) {}
