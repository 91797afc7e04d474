/**
 * Batch scoring: a job that streams the rows of a stored dataset version through a served model (through the {@code
 * InferenceCore}, batched, as any caller's requests) and writes the predictions as CSV in committed parts. Jobs are a
 * queue in the governance database that replicas claim with leases and heartbeats, as training's jobs are; a job whose
 * runner died resumes after its last committed part, so the output never holds a row twice or misses one.
 */
package dev.kiln.scoring;
