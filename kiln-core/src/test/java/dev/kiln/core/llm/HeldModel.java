package dev.kiln.core.llm;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A language model whose generations hold their slot until {@link #release} (or a cancel) ends them, recording which
 * threads templated and generated: enough to test queueing, deadlines and draining without llama.cpp.
 */
final class HeldModel implements LanguageModel, LanguageEngine {
  final Set<String> nativeThreads = ConcurrentHashMap.newKeySet();
  final AtomicInteger generated = new AtomicInteger();
  final AtomicInteger templated = new AtomicInteger();
  final List<Long> seeds = new CopyOnWriteArrayList<>();
  volatile CountDownLatch release = new CountDownLatch(1);

  void release() {
    release.countDown();
  }

  @Override
  public String modelFileName() {
    return "model.gguf";
  }

  @Override
  public LanguageModel load(Path file, int contextLength, int slots) {
    return this;
  }

  @Override
  public String applyChatTemplate(List<ChatMessage> messages) {
    nativeThreads.add(Thread.currentThread().getName());
    templated.incrementAndGet();
    return messages.get(messages.size() - 1).content();
  }

  /** Ends on a thread of its own, as an engine's generation does: 2 prompt tokens, 3 completion tokens. */
  @Override
  public Handle generate(Generation generation, TokenSink sink) {
    nativeThreads.add(Thread.currentThread().getName());
    generated.incrementAndGet();
    seeds.add(generation.seed());
    CountDownLatch cancelled = new CountDownLatch(1);
    CountDownLatch held = release;
    Thread.ofPlatform()
        .daemon()
        .start(() -> {
          try {
            while (held.getCount() > 0 && cancelled.getCount() > 0) {
              Thread.sleep(2);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          sink.text(generation.prompt());
          sink.done(cancelled.getCount() == 0 ? FinishReason.CANCELLED : FinishReason.STOP, 2, 3);
        });
    return cancelled::countDown;
  }

  @Override
  public int countTokens(String text) {
    nativeThreads.add(Thread.currentThread().getName());
    return text.length();
  }

  @Override
  public List<float[]> embed(List<String> inputs) {
    nativeThreads.add(Thread.currentThread().getName());
    return inputs.stream().map(i -> new float[] {i.length()}).toList();
  }

  @Override
  public int contextLength() {
    return 64;
  }

  @Override
  public void close() {}
}
