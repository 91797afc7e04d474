/**
 * The training benchmark behind {@code BENCHMARKS.md}: Kiln's DJL training engine against PyTorch in Python on the same
 * networks (an MLP 784-128-10 and a small CNN), the same seeded synthetic 28x28 images and the same hyperparameters,
 * run alternately in one benchmark run; it reports epoch time and final test accuracy per side.
 */
package dev.kiln.bench.train;
