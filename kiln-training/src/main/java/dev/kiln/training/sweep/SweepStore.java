package dev.kiln.training.sweep;

import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Where sweeps live, shared by every replica: {@link FileSweepStore} on one machine, a database table for replicas. Ids
 * are never handed out twice and updates are atomic read-modify-writes.
 */
public interface SweepStore {
  /** Stores the sweep {@code make} builds for the next free id. */
  Sweep create(LongFunction<Sweep> make);

  Optional<Sweep> get(long id);

  /** Newest first. */
  List<Sweep> list();

  /** Applies {@code change} to the stored sweep atomically; empty if there is no such sweep. */
  Optional<Sweep> update(long id, UnaryOperator<Sweep> change);
}
