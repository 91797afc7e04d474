/**
 * Explains one prediction without gradients: {@link dev.kiln.core.explain.KernelShap} for tabular inputs and {@link
 * dev.kiln.core.explain.Occlusion} for images, both calling the model through the inference core ({@link
 * dev.kiln.core.explain.Explainer}) so every evaluation is batched and counted like any request.
 */
package dev.kiln.core.explain;
