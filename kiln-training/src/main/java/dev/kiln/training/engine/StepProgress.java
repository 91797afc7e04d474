package dev.kiln.training.engine;

/**
 * One optimisation step.
 *
 * @param loss running mean of the training loss over this epoch so far
 * @param examplesPerSecond training throughput over this epoch so far
 */
public record StepProgress(int epoch, int epochs, int step, int steps, double loss, double examplesPerSecond) {}
