/**
 * Hyperparameter sweeps: a base job request, a search space over its settings and a strategy (grid, random, Latin
 * hypercube) become ordinary training jobs, queued at once and run by the job queue like any other; the sweep's state,
 * each trial's objective and the best trial are derived from those jobs whenever they are read.
 */
package dev.kiln.training.sweep;
