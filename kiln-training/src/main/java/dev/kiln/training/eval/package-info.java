/**
 * Evaluation of a trained model on held-out rows: {@link dev.kiln.training.eval.ClassificationReport} and {@link
 * dev.kiln.training.eval.RegressionReport}, records stored with a model version, returned as JSON by the API and
 * rendered as text by the CLI.
 */
package dev.kiln.training.eval;
