package dev.kiln.engine.llama.process;

import dev.kiln.core.llm.LanguageModel;
import dev.kiln.engine.llama.LlamaOptions;
import java.nio.file.Path;

/** A server stand-in for {@link ProcessLifecycleTest}: loads a model in a child, prints the child's pid, waits. */
final class OrphanParent {
  private OrphanParent() {}

  public static void main(String[] args) throws Exception {
    ProcessOptions options = ProcessOptions.defaults().withWorkFolder(Path.of(args[1]));
    LanguageModel m = new ProcessEngine(new LlamaOptions(0, 1, 1), options).load(Path.of(args[0]), 256, 1);
    System.out.println("child " + ((ProcessLanguageModel) m).pid().orElseThrow());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
