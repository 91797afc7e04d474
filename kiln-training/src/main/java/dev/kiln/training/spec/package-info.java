/**
 * Declarative model specs, Keras style: the records a user writes in YAML or JSON, reading and writing them ({@link
 * dev.kiln.training.spec.ModelSpecReader}, {@link dev.kiln.training.spec.ModelSpecWriter}), and checking one against
 * its data before an engine sees it ({@link dev.kiln.training.spec.SpecValidator}, {@link
 * dev.kiln.training.spec.ShapeInference}, {@link dev.kiln.training.spec.ModelSummary}). Every problem is a {@link
 * dev.kiln.training.spec.SpecException} whose message names the layer or key at fault.
 */
package dev.kiln.training.spec;
