package dev.kiln.training.job;

import dev.kiln.training.data.DatasetRef;
import dev.kiln.training.spec.ModelSpec;
import dev.kiln.training.spec.TrainingSettings;
import java.util.List;

/**
 * Where a trained model came from: enough to reproduce it and to audit it.
 *
 * @param spec the spec as trained (defaults filled in)
 * @param artifactSha256 checksum of the exported ONNX file
 */
public record Lineage(
    DatasetRef dataset,
    ModelSpec spec,
    TrainingSettings settings,
    String engine,
    List<Integer> inputShape,
    List<String> classes,
    double durationSeconds,
    int epochsTrained,
    int bestEpoch,
    boolean stoppedEarly,
    String artifactSha256,
    long artifactBytes) {}
