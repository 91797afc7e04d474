package dev.kiln.training.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.access.Grants;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.training.data.DatasetManifest;
import dev.kiln.training.job.Deployment;
import dev.kiln.training.job.Job;
import dev.kiln.training.job.JobJson;
import dev.kiln.training.job.JobRequest;
import dev.kiln.training.job.JobStore;
import dev.kiln.training.job.SweepTrial;
import dev.kiln.training.job.TrainingService;
import dev.kiln.training.spec.ModelSpecReader;
import dev.kiln.training.spec.TrainingSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Sweeps as a service, beside {@link TrainingService} and through it: a sweep's trials are ordinary jobs, checked and
 * queued together by {@link TrainingService#checkAll}, so they run with the job queue's concurrency on every replica,
 * resume like jobs, and are seen, cancelled and deployed with the jobs' ownership rules. A sweep belongs to the key
 * that submitted it; another key's is {@code NOT_FOUND}, an admin sees all.
 */
public final class SweepService {
  private final TrainingService training;
  private final JobStore jobs;
  private final SweepStore sweeps;
  private final int maxTrials;

  /**
   * @param maxTrials the most trials one sweep may queue (a grid's combinations included)
   */
  public SweepService(TrainingService training, JobStore jobs, SweepStore sweeps, int maxTrials) {
    if (maxTrials < 1) {
      throw new IllegalArgumentException("a sweep must be allowed at least one trial");
    }
    this.training = training;
    this.jobs = jobs;
    this.sweeps = sweeps;
    this.maxTrials = maxTrials;
  }

  /**
   * Generates the trials, checks every one as a job request and queues them all, or refuses the sweep with the first
   * bad trial's settings named and queues nothing.
   */
  public SweepView submit(SweepRequest request, Grants who) {
    JobRequest base = JobJson.readRequest(JobJson.write(request.base()));
    DatasetManifest dataset = training.dataset(base.dataset(), base.datasetVersion(), who);
    Objective objective = request.objective().resolve(dataset.task());
    List<Map<String, JsonNode>> settings =
        TrialGenerator.generate(request.space(), request.strategy(), request.trials(), request.seed(), maxTrials);
    List<JobRequest> trials = new ArrayList<>();
    for (int i = 0; i < settings.size(); i++) {
      try {
        trials.add(trialRequest(request, settings.get(i), objective));
      } catch (KilnException e) {
        throw new KilnException(e.kind(), label(i, settings.get(i)) + ": " + e.getMessage(), e);
      }
    }
    List<JobRequest> checked = training.checkAll(trials, who, i -> label(i, settings.get(i)));
    // Queued under the sweep store's lock, once the sweep's id is known, so every trial's job names its sweep.
    Sweep sweep =
        sweeps.create(id -> {
          List<Job> queued = training.queueTrials(checked, who, i -> new SweepTrial(id, i + 1, settings.get(i)));
          List<Sweep.Trial> t = new ArrayList<>();
          for (int i = 0; i < queued.size(); i++) {
            t.add(new Sweep.Trial(i + 1, queued.get(i).id(), settings.get(i)));
          }
          return new Sweep(
              id,
              request.document(),
              request.strategy(),
              request.seed(),
              objective,
              t,
              Instant.now(),
              who.principal(),
              null);
        });
    return view(sweep);
  }

  /** A sweep of {@code who}'s (any for an admin), its trials read from their jobs now. */
  public SweepView sweep(long id, Grants who) {
    return view(owned(id, who));
  }

  /** The sweeps {@code who} submitted (all for an admin), newest first, each summed up without its trials. */
  public List<SweepSummary> sweeps(Grants who) {
    Map<Long, Job> all = jobs.list().stream().collect(Collectors.toMap(Job::id, j -> j));
    return sweeps.list().stream()
        .filter(s -> who.owns(s.createdBy()))
        .map(s -> SweepSummary.of(SweepView.of(s, job -> Optional.ofNullable(all.get(job)))))
        .toList();
  }

  /** Cancels every queued or running trial; {@code CONFLICT} when none is left to cancel. */
  public SweepView cancel(long id, Grants who) {
    Sweep sweep = owned(id, who);
    List<Long> live =
        sweep.trials().stream()
            .map(Sweep.Trial::job)
            .filter(j -> jobs.get(j).map(x -> !x.state().finished()).orElse(false))
            .toList();
    if (live.isEmpty()) {
      throw new KilnException(ErrorKind.CONFLICT, "sweep " + id + " has no queued or running trial to cancel");
    }
    sweeps.update(id, s -> s.cancelledAt(Instant.now()));
    for (long job : live) {
      try {
        training.cancel(job, who);
      } catch (KilnException e) {
        if (e.kind() != ErrorKind.CONFLICT) {
          throw e; // CONFLICT: it finished meanwhile, which is as good
        }
      }
    }
    return sweep(id, who);
  }

  /**
   * Serves the best succeeded trial's model as the next version of {@code model}, through the jobs' deploy (which needs
   * {@code manage} on {@code model}); {@code CONFLICT} while no trial has succeeded.
   */
  public SweepDeployment deploy(long id, String model, Grants who) {
    SweepView view = sweep(id, who);
    if (view.best() == null) {
      throw new KilnException(
          ErrorKind.CONFLICT, "sweep " + id + " has no succeeded trial with a finite " + view.objective().metric());
    }
    Deployment d = training.deploy(view.bestJob(), model, who);
    return new SweepDeployment(id, view.best(), view.bestJob(), view.bestValue(), d.model(), d.version(), d.at());
  }

  private Sweep owned(long id, Grants who) {
    return sweeps
        .get(id)
        .filter(s -> who.owns(s.createdBy()))
        .orElseThrow(() -> new KilnException(ErrorKind.NOT_FOUND, "no sweep " + id));
  }

  private SweepView view(Sweep sweep) {
    return SweepView.of(sweep, jobs::get);
  }

  /** One trial's job request: the base with its settings applied, early-stopped on the objective. */
  private static JobRequest trialRequest(SweepRequest r, Map<String, JsonNode> settings, Objective objective) {
    ObjectNode trial = r.base().deepCopy();
    if (trial.path("model").isTextual()) {
      trial.set("model", ModelSpecReader.tree(trial.get("model").asText()));
    }
    settings.forEach((key, value) -> TrialPaths.apply(trial, key, value));
    boolean ownStopping =
        trial.path("training").hasNonNull("early_stopping")
            || trial.path("model").path("training").hasNonNull("early_stopping");
    if (!ownStopping) {
      ObjectNode training =
          trial.path("training").isObject() ? (ObjectNode) trial.get("training") : trial.putObject("training");
      training
          .putObject("early_stopping")
          .put("monitor", objective.metric())
          .put("patience", r.patience())
          .put("min_delta", r.minDelta());
    }
    JobRequest job = JobJson.readRequest(JobJson.write(trial));
    TrainingSettings fromSpec = job.model().training().over(TrainingSettings.DEFAULTS);
    TrainingSettings s = job.training() == null ? fromSpec : job.training().over(fromSpec);
    if (objective.metric().startsWith("val_") && s.validationSplit() != null && s.validationSplit() == 0) {
      throw KilnException.invalid("objective " + objective.metric() + " needs validation_split > 0");
    }
    return job;
  }

  /** {@code trial 3 (learning_rate=0.01, batch_size=64)}: how errors name a trial. */
  private static String label(int i, Map<String, JsonNode> settings) {
    return "trial "
        + (i + 1)
        + " ("
        + settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))
        + ")";
  }
}
