package dev.kiln.govern.registry;

import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.govern.audit.Auditor;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.SafeNames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A push from start to end: reserve the next version as PENDING, write the artifact, publish, have serving load it, and
 * undo all of it when any step fails, so a failed push leaves no version, no artifact and (when it created the model)
 * no model. Each push is audited, as done or as failed with the reason.
 */
final class VersionPush {
  // The registry's logger, as before the push had its own class, so logging settings for it still apply.
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());

  private final RegistryStore store;
  private final ArtifactStore artifacts;
  private final Auditor audit;
  private final Clock clock;
  private final long maxArtifactBytes;

  VersionPush(RegistryStore store, ArtifactStore artifacts, Auditor audit, Clock clock, long maxArtifactBytes) {
    this.store = store;
    this.artifacts = artifacts;
    this.audit = audit;
    this.clock = clock;
    this.maxArtifactBytes = maxArtifactBytes;
  }

  /** See {@link ModelRegistry#push(String, InputStream, String, String, String, String, VersionLoader)}. */
  VersionRecord push(
      String name, InputStream model, String source, String metadata, String actor, String from, VersionLoader loader) {
    SafeNames.requireModelName(name);
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(loader, "loader");
    InputStream in = new BufferedInputStream(model);
    String format = format(in);
    Instant now = clock.instant();
    boolean newModel = store.model(name).isEmpty();
    store.ensureModel(name, actor, now);
    VersionRecord reserved = store.reserveVersion(name, format, source, actor, now);
    String target = "model:" + name + "/" + reserved.version();
    ArtifactStore.PutResult put = null;
    try {
      put = artifacts.put(in, maxArtifactBytes);
      if (!store.publish(name, reserved.version(), put.key(), put.sha256(), put.sizeBytes(), metadata)) {
        throw new KilnException(
            ErrorKind.CONFLICT, "version " + reserved.version() + " of " + name + " was not pending any more");
      }
    } catch (RuntimeException e) {
      undo(name, reserved.version(), put == null ? null : put.key(), newModel);
      audit.record(actor, "model.push", target, from, "failed", e.getMessage());
      throw e;
    }
    VersionRecord v = store.version(name, reserved.version()).orElseThrow();
    try {
      loader.load(v);
    } catch (RuntimeException e) {
      RuntimeException refusal = LoadRefusal.of(e, v);
      undo(name, v.version(), v.artifact(), newModel);
      try {
        loader.undone(v);
      } catch (RuntimeException ignored) {
        LOG.log(Level.WARNING, "serving could not forget refused version " + target, ignored);
      }
      audit.record(actor, "model.push", target, from, "failed", refusal.getMessage());
      throw refusal;
    }
    audit.record(
        actor, "model.push", target, from, "ok", "sha256 " + v.sha256() + ", " + v.sizeBytes() + " bytes, " + source);
    return v;
  }

  /** Removes what a failed push wrote: its version, its artifact, and the model when the push created it. */
  private void undo(String name, long version, String artifact, boolean newModel) {
    store.deleteVersion(name, version);
    if (artifact != null) {
      artifacts.delete(artifact);
    }
    // Another push may have reserved a version meanwhile; then the model stays.
    if (newModel && store.versions(name).isEmpty() && store.aliases(name).isEmpty()) {
      store.deleteModel(name);
    }
  }

  /** {@code gguf} for a GGUF language model (by its magic number), else {@code onnx}. */
  private static String format(InputStream in) {
    try {
      in.mark(4);
      byte[] magic = in.readNBytes(4);
      in.reset();
      return Arrays.equals(magic, new byte[] {'G', 'G', 'U', 'F'}) ? ModelRegistry.GGUF : ModelRegistry.ONNX;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the upload", e);
    }
  }
}
