package dev.kiln.training.archfixture;

import ai.onnxruntime.OrtEnvironment;

/** A deliberate violation for KilnRulesBiteTest; never imported by ArchitectureTest (test classes are skipped). */
public class TrainingUsingRuntime {
  OrtEnvironment runtime;
}
