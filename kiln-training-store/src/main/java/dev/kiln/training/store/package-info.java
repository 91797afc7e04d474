/**
 * Training's stores for replicas: dataset versions, jobs and sweeps as rows in the governance database (SQLite or
 * PostgreSQL), and their bytes (raw data, checkpoints, exported models, splits) as encrypted, checksummed objects in
 * the artifact store, so any replica sees, runs and resumes what another made.
 */
package dev.kiln.training.store;
