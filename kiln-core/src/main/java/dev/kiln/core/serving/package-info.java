/**
 * The inference core that every protocol adapter calls: model lifecycle (load, version policy, warmup, drain on
 * unload), request validation against the model's signature, and statistics. Adapters decode their wire format into
 * {@link dev.kiln.core.serving.InferenceRequest}, call {@link dev.kiln.core.serving.InferenceCore}, and encode the
 * {@link dev.kiln.core.serving.InferenceResponse}.
 */
package dev.kiln.core.serving;
