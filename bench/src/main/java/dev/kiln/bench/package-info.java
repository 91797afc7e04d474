/**
 * The load generator behind {@code BENCHMARKS.md}: closed-loop clients that call the same MLP in-process (ONNX Runtime
 * directly, the ceiling), and through a Kiln server over REST JSON, REST binary and gRPC, with dynamic batching on and
 * off, and print one Markdown table from one run.
 *
 * <p>Clients are kept as cheap as possible (request bytes and messages are built once per input row, HTTP is a blocking
 * socket per worker) because the load generator shares the machine's cores with the server it measures.
 */
package dev.kiln.bench;
