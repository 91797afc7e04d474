package dev.kiln.server;

import dev.kiln.govern.store.Change;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Registry changes made through another replica, served here: a version pushed there is loaded here from the shared
 * artifact store, one archived or deleted there stops serving here. The work is what the replica that made the change
 * did after it ({@link RegistryDeployments#follow}), run on a thread of its own so that loading a model never holds up
 * the change feed (and the key revocations behind it).
 *
 * <p>Changes to one model that arrive while it is waiting are folded into one: following reads the registry as it is
 * then, not the change.
 */
final class ReplicaChanges implements Consumer<Change>, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ReplicaChanges.class.getName());

  private final Consumer<String> follow;
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("kiln-replica-changes").factory());

  /**
   * @param follow brings what serves a model in line with the registry
   */
  ReplicaChanges(Consumer<String> follow) {
    this.follow = Objects.requireNonNull(follow, "follow");
  }

  @Override
  public void accept(Change change) {
    if (change.local() || change.kind() == Change.Kind.KEY) {
      return; // this replica acted on its own changes already; keys are the governance side's
    }
    String model = change.subject();
    if (!waiting.add(model)) {
      return;
    }
    try {
      worker.execute(() -> {
        waiting.remove(model);
        try {
          follow.accept(model);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "could not serve the change to model '" + model + "' made on another replica", e);
        }
      });
    } catch (RejectedExecutionException closing) {
      waiting.remove(model);
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
