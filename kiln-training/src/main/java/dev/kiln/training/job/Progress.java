package dev.kiln.training.job;

/**
 * The latest step of a running job, for polling clients and progress bars.
 *
 * @param etaSeconds estimated time to the end of training, from the throughput so far
 */
public record Progress(
    int epoch, int epochs, int step, int steps, double loss, double examplesPerSecond, double etaSeconds) {}
