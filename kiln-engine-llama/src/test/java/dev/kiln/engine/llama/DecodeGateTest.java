package dev.kiln.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeGateTest {
  final DecodeGate gate = new DecodeGate();
  final List<String> entered = new CopyOnWriteArrayList<>();

  Thread arrive(String name, int kind) throws InterruptedException {
    Thread t =
        Thread.ofPlatform()
            .start(() -> {
              try {
                gate.enter(kind);
                entered.add(name);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Thread.sleep(100);
    return t;
  }

  @Test
  void oneKindAtATimeAndAWaitingKindIsNotOvertakenByTheRunningOne() throws Exception {
    gate.enter(DecodeGate.BINDING);
    gate.enter(DecodeGate.BINDING); // one kind runs together
    Thread c = arrive("c-api", DecodeGate.C_API);
    Thread late = arrive("late binding", DecodeGate.BINDING);
    assertThat(entered).isEmpty(); // the C-API waits; the late binding generation waits behind it
    gate.exit(DecodeGate.BINDING);
    gate.exit(DecodeGate.BINDING);
    c.join(TimeUnit.SECONDS.toMillis(5));
    Thread.sleep(100);
    assertThat(entered).containsExactly("c-api");
    gate.exit(DecodeGate.C_API);
    late.join(TimeUnit.SECONDS.toMillis(5));
    assertThat(entered).containsExactly("c-api", "late binding");
  }
}
