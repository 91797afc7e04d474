/**
 * The slow part of issue 10's hostile suite (bad-inputs T12 and T13), against a real {@code kiln serve} child process:
 * a soak at concurrency 20 over REST JSON, REST binary and gRPC with a share of clients killed mid-request ({@link
 * dev.kiln.bench.soak.Soak}), and a disconnect storm of dropped language-model streams and unary calls past their
 * deadline ({@link dev.kiln.bench.soak.Storm}). {@link dev.kiln.bench.soak.SoakBench} runs both and prints a Markdown
 * report.
 */
package dev.kiln.bench.soak;
