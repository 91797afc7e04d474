/**
 * llama.cpp in a child process per model, so that a crash or a leak in native code cannot take the server down: {@link
 * dev.kiln.engine.llama.process.ProcessEngine} starts a child JVM that runs the in-process engine ({@code LlamaEngine})
 * behind a Unix-domain socket, and hands the server a {@link dev.kiln.core.llm.LanguageModel} that is a client of it.
 * The parent supervises the child (exit, end of stream, heartbeat), fails what was in flight when it dies, restarts it
 * with back-off, and ends it on unload, which returns its native memory.
 *
 * <p>The channel carries length-prefixed JSON frames of kiln-core's llm records, serialized generically by Jackson:
 * calls name a {@code LanguageModel} method and events a {@code TokenSink} method, so a field or an event added there
 * crosses the process boundary with no change here. gRPC was not used: it would add a dependency and a schema to keep
 * in step with those records for one local, point-to-point, trusted channel.
 */
package dev.kiln.engine.llama.process;
