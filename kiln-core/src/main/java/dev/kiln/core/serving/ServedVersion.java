package dev.kiln.core.serving;

import dev.kiln.core.engine.ModelInstance;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.metrics.InferenceMetrics;
import dev.kiln.core.model.ModelConfig;
import dev.kiln.core.model.ModelSignature;
import dev.kiln.core.model.ModelState;
import dev.kiln.core.model.TensorSpec;
import dev.kiln.core.scheduling.ExecutionObserver;
import dev.kiln.core.scheduling.Scheduler;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded model version: its instances, its scheduler, and a count of requests in flight so that unloading can wait
 * for them before closing the engine.
 */
final class ServedVersion {
  private final String name;
  private final long version;
  private final ModelConfig config;
  private final ModelSignature signature;

  /** What named columns go through before {@link ColumnInputs} assembles them (a trained model's dataset policy). */
  private final ColumnTransforms transforms;

  private final List<ModelInstance> instances;
  private final Scheduler scheduler;
  private final VersionStatistics statistics = new VersionStatistics();
  private final InferenceMetrics.Binding meters;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object drained = new Object();
  private volatile ModelState state = ModelState.LOADING;

  ServedVersion(
      String name,
      long version,
      ModelConfig config,
      ModelSignature signature,
      List<ModelInstance> instances,
      InferenceMetrics metrics,
      ColumnTransforms transforms) {
    this.transforms = transforms;
    this.name = name;
    this.version = version;
    this.config = config;
    this.signature = signature;
    this.instances = List.copyOf(instances);
    Scheduler[] holder = new Scheduler[1];
    this.meters = metrics.bind(name, version, () -> holder[0] == null ? 0 : holder[0].pending());
    this.scheduler =
        new Scheduler(
            name + "-" + version,
            this.instances,
            config.batching(),
            new AfterWarmup(ExecutionObserver.both(statistics, meters)));
    holder[0] = scheduler;
  }

  long version() {
    return version;
  }

  ModelSignature signature() {
    return signature;
  }

  ModelState state() {
    return state;
  }

  Statistics statistics() {
    return statistics.snapshot(name, version);
  }

  /** Runs a request of zeros through the whole path; any failure fails the load. */
  void warmUp(Duration timeout) {
    Map<String, Tensor> inputs = new LinkedHashMap<>();
    for (TensorSpec spec : signature.inputs()) {
      long[] shape = spec.shape();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      inputs.put(spec.name(), Tensor.zeros(spec.datatype(), shape));
    }
    try {
      scheduler.submit(inputs, allOutputs(), Long.MAX_VALUE).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during warmup", e);
    } catch (Exception e) {
      throw new IllegalStateException("warmup failed: " + KilnException.from(e).getMessage(), e);
    }
  }

  void markReady() {
    state = ModelState.READY;
  }

  /**
   * Runs a request on this version; the caller must have {@link #acquire acquired} it, and this method releases it when
   * the request completes.
   */
  CompletableFuture<InferenceResponse> inferAcquired(InferenceRequest request, long deadlineNanos) {
    Map<String, Tensor> inputs;
    Set<String> outputs;
    try {
      inputs = checkInputs(ColumnInputs.assemble(transforms.apply(request.inputs(), signature), signature));
      outputs = checkOutputs(request.outputs());
    } catch (KilnException e) {
      meters.onRejected();
      statistics.onRejected();
      release();
      return CompletableFuture.failedFuture(e);
    }
    return scheduler
        .submit(inputs, outputs, deadlineNanos)
        .handle((out, err) -> {
          release();
          if (err != null) {
            throw KilnException.from(err);
          }
          return new InferenceResponse(name, version, request.id(), ordered(out, outputs));
        });
  }

  /** Counts a request in flight; false once the version stops taking requests (it is being replaced). */
  boolean acquire() {
    if (state != ModelState.READY) {
      return false;
    }
    inFlight.incrementAndGet();
    if (state != ModelState.READY) {
      release();
      return false;
    }
    return true;
  }

  private void release() {
    if (inFlight.decrementAndGet() == 0 && state == ModelState.UNLOADING) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /** Stops taking requests, waits up to {@code timeout} for those in flight, then frees the engine. */
  void unload(Duration timeout) {
    state = ModelState.UNLOADING;
    long until = System.nanoTime() + timeout.toNanos();
    synchronized (drained) {
      while (inFlight.get() > 0) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    scheduler.close();
    instances.forEach(ModelInstance::close);
    meters.close();
    state = ModelState.UNAVAILABLE;
  }

  private Map<String, Tensor> checkInputs(Map<String, Tensor> given) {
    if (given.isEmpty()) {
      throw KilnException.invalid("request has no inputs");
    }
    for (String n : given.keySet()) {
      if (signature.input(n).isEmpty()) {
        throw KilnException.invalid("unknown input '" + n + "' (expected: " + names(signature.inputs()) + ")");
      }
    }
    Map<String, Tensor> ordered = new LinkedHashMap<>();
    long rows = -1;
    for (TensorSpec spec : signature.inputs()) {
      Tensor t = given.get(spec.name());
      if (t == null) {
        throw KilnException.invalid("missing input '" + spec.name() + "'");
      }
      if (t.type() != spec.datatype()) {
        throw KilnException.invalid(
            "input '" + spec.name() + "': datatype " + t.type() + " (expected: " + spec.datatype() + ")");
      }
      if (!Shape.matches(spec.shape(), t.shape())) {
        throw KilnException.invalid(
            "input '"
                + spec.name()
                + "': shape "
                + Shape.format(t.shape())
                + " (expected: "
                + Shape.format(spec.shape())
                + ")");
      }
      if (config.batching().enabled()) {
        if (rows >= 0 && t.rows() != rows) {
          throw KilnException.invalid("inputs disagree on the batch size (dimension 0)");
        }
        rows = t.rows();
      }
      ordered.put(spec.name(), t);
    }
    return ordered;
  }

  private Set<String> checkOutputs(List<String> requested) {
    if (requested.isEmpty()) {
      return allOutputs();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String n : requested) {
      if (signature.output(n).isEmpty()) {
        throw KilnException.invalid("unknown output '" + n + "' (expected: " + names(signature.outputs()) + ")");
      }
      if (!out.add(n)) {
        throw KilnException.invalid("output '" + n + "' requested twice");
      }
    }
    return out;
  }

  private Set<String> allOutputs() {
    Set<String> all = new LinkedHashSet<>();
    signature.outputs().forEach(o -> all.add(o.name()));
    return all;
  }

  private Map<String, Tensor> ordered(Map<String, Tensor> out, Set<String> wanted) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (TensorSpec o : signature.outputs()) {
      if (wanted.contains(o.name()) && out.containsKey(o.name())) {
        m.put(o.name(), out.get(o.name()));
      }
    }
    return m;
  }

  private static String names(List<TensorSpec> specs) {
    List<String> n = new ArrayList<>();
    specs.forEach(s -> n.add(s.name()));
    return String.join(", ", n);
  }

  /** Drops what warmup runs, so statistics and metrics count only callers' requests. */
  private final class AfterWarmup implements ExecutionObserver {
    private final ExecutionObserver delegate;

    AfterWarmup(ExecutionObserver delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onExecution(int requests, long rows, long computeNanos, boolean success) {
      if (state != ModelState.LOADING) {
        delegate.onExecution(requests, rows, computeNanos, success);
      }
    }

    @Override
    public void onRequest(long queueNanos, long computeNanos, boolean success) {
      if (state != ModelState.LOADING) {
        delegate.onRequest(queueNanos, computeNanos, success);
      }
    }

    @Override
    public void onRejected() {
      if (state != ModelState.LOADING) {
        delegate.onRejected();
      }
    }
  }
}
