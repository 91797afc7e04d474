/**
 * The language-model benchmark behind {@code BENCHMARKS.md}: tokens per second, time to first token and inter-token
 * latency at several concurrent streams, for a GGUF model called in-process through {@code LlamaEngine} (the limit) and
 * through a Kiln server's OpenAI-compatible API over HTTP Server-Sent Events, alternating the two.
 */
package dev.kiln.bench.llm;
