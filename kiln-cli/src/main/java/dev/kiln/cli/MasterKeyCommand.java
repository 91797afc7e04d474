package dev.kiln.cli;

import dev.kiln.govern.blob.BlobStore;
import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.crypto.MasterKeys;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kiln master-key new|rotate|rewrap}: the key that encrypts model artifacts at rest. */
@Command(
    name = "master-key",
    description = "The master key for model artifacts at rest: new, rotate, rewrap.",
    subcommands = {MasterKeyCommand.New.class, MasterKeyCommand.Rotate.class, MasterKeyCommand.Rewrap.class})
final class MasterKeyCommand {
  @Command(name = "new", description = "Write a fresh 256-bit key to FILE (mode 0600; never overwrites).")
  static final class New implements Callable<Integer> {
    @Parameters(index = "0")
    Path file;

    @Override
    public Integer call() {
      System.out.println("master key " + MasterKeys.generate(file).currentId() + " written to " + file);
      return 0;
    }
  }

  @Command(name = "rotate", description = "Put a fresh key first in FILE, keeping the old ones for reading.")
  static final class Rotate implements Callable<Integer> {
    @Parameters(index = "0")
    Path file;

    @Override
    public Integer call() {
      MasterKeys keys = MasterKeys.rotate(file);
      System.out.println(
          "current master key is now "
              + keys.currentId()
              + " (kept: "
              + keys.ids()
              + "); run "
              + "kiln master-key rewrap to re-wrap stored artifacts under it");
      return 0;
    }
  }

  @Command(
      name = "rewrap",
      description =
          "Re-wrap every stored artifact's data key under the current master key "
              + "(the payloads are not re-encrypted); stop the server first or run it on one replica.")
  static final class Rewrap implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "kiln-data")
    Path data;

    @Option(names = "--master-key", required = true)
    Path file;

    @Mixin StoreOptions store;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      store.check(spec.commandLine());
      MasterKeys keys = MasterKeys.fromFile(file);
      BlobStore blobs = store.location(data).open(data);
      ArtifactStore artifacts = ArtifactStore.open(blobs, ArtifactCipher.sealed(keys));
      int n = artifacts.rewrapAll();
      System.out.println(
          n + " artifact(s) in " + artifacts.location() + " re-wrapped under master key " + keys.currentId());
      return 0;
    }
  }
}
