/**
 * Language models, engine-free: a loaded model generates text token by token into a {@link
 * dev.kiln.core.llm.TokenSink}, counts tokens, applies its chat template and embeds text. Protocol adapters (the
 * OpenAI-compatible API) call this; engines (llama.cpp) implement it.
 */
package dev.kiln.core.llm;
