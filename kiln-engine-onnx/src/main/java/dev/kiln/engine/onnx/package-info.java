/**
 * The ONNX Runtime engine (CPU, or CUDA when asked for and present) and a writer for ONNX graphs, used to make the
 * example and test models the project ships none of.
 */
package dev.kiln.engine.onnx;
