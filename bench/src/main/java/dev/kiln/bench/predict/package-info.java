/**
 * Helpers of {@code bench/predict}, the batch scoring benchmark: in-process ONNX Runtime scoring the rows {@code kiln
 * predict} scores through a server (the ceiling it is compared with), and the benchmark's Parquet input.
 */
package dev.kiln.bench.predict;
