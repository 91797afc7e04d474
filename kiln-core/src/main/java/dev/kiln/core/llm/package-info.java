/**
 * Language models, engine-free: a loaded model generates text token by token into a {@link
 * dev.kiln.core.llm.TokenSink}, counts tokens, applies its chat template and embeds text. Protocol adapters (the
 * OpenAI-compatible API) call this; engines (llama.cpp) implement it. Structured output and tool calls are grammars
 * built here ({@link dev.kiln.core.llm.JsonGrammar}, {@link dev.kiln.core.llm.ToolGrammar}) and handed to the engine as
 * text in the {@link dev.kiln.core.llm.Generation}; {@link dev.kiln.core.llm.ToolCallText} reads calls back.
 */
package dev.kiln.core.llm;
