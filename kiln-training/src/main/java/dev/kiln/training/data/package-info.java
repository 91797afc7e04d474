/**
 * Datasets for training: readers for raw CSV/TSV, image folders, IDX and labelled text ({@link
 * dev.kiln.training.data.DatasetReader}); a versioned, checksummed {@link dev.kiln.training.data.DatasetStore}; seeded
 * splits; and {@link dev.kiln.training.data.Preprocessing} fitted on the training split, applied the same way in Java
 * for training and as ONNX nodes in the exported model, so a deployed model takes raw rows.
 */
package dev.kiln.training.data;
