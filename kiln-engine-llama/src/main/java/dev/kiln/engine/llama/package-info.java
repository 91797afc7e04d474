/**
 * The llama.cpp engine: runs GGUF language models behind {@link dev.kiln.core.llm.LanguageModel} (streaming generation
 * in parallel slots, chat templates, token counts, embeddings), checks GGUF files before llama.cpp sees them, and
 * writes GGUF files ({@link dev.kiln.engine.llama.GgufWriter}, {@link dev.kiln.engine.llama.TinyLlama}) so tests make
 * their own model instead of downloading one.
 */
package dev.kiln.engine.llama;
