package dev.kiln.core.scheduling;

import dev.kiln.core.tensor.Tensor;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A request in a {@link Scheduler}'s queue: its inputs, its batch key (none with batching off) and its result. */
final class Work {
  final Map<String, Tensor> inputs;
  final Set<String> outputs;
  final long rows;
  final BatchKey key;
  final long enqueuedNanos;
  final long deadlineNanos;
  final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();

  Work(
      Map<String, Tensor> inputs,
      Set<String> outputs,
      long rows,
      BatchKey key,
      long enqueuedNanos,
      long deadlineNanos) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.rows = rows;
    this.key = key;
    this.enqueuedNanos = enqueuedNanos;
    this.deadlineNanos = deadlineNanos;
  }
}
