/**
 * Protection at rest. {@link dev.kiln.govern.crypto.MasterKeys} loads the operator's master key ring (a key file or
 * {@code KILN_MASTER_KEY}); {@link dev.kiln.govern.crypto.ArtifactCipher} seals model files with envelope encryption (a
 * fresh AES-256-GCM data key per artifact, wrapped by the current master key) and checks them at load; {@link
 * dev.kiln.govern.crypto.ArtifactStore} keeps the sealed files under opaque keys it generates itself, publishing each
 * one atomically; {@link dev.kiln.govern.crypto.SafeNames} is the one gate every request-supplied name passes before it
 * is used anywhere. Nothing in an artifact is ever executed here: it is bytes in, bytes out.
 */
package dev.kiln.govern.crypto;
