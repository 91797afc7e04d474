/**
 * Composition of a Kiln server: the configuration record tree, {@link dev.kiln.server.KilnAssembly}, which builds the
 * core, the engines, the features and the protocol listeners from it in order, and {@link dev.kiln.server.Kiln}, which
 * holds what was built and stops it. Tests start servers through the same code path as {@code kiln serve}. The few
 * services that only make sense once the parts meet live here too: {@link dev.kiln.server.RegistryDeployments}
 * (registry version → served) and {@link dev.kiln.server.LanguageModelStaging} (registry GGUF files staged for
 * llama.cpp).
 */
package dev.kiln.server;
