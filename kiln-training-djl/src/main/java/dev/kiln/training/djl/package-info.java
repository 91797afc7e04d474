/**
 * The training engine on DJL's PyTorch engine (libtorch 2.7.1, CPU, from Maven Central). {@link
 * dev.kiln.training.djl.DjlTrainingEngine} builds a DJL network from a model spec ({@code NetworkBuilder}) and runs
 * Kiln's own epoch loop over it ({@code TrainingLoop}) so that progress, cancellation, checkpoints and early stopping
 * are Kiln's, while every tensor operation, gradient and optimizer update is libtorch's.
 */
package dev.kiln.training.djl;
