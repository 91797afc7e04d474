package dev.kiln.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyQueuesTest {
  static List<String> drain(KeyQueues<String> q) {
    List<String> out = new ArrayList<>();
    for (Optional<String> t = q.next(); t.isPresent(); t = q.next()) {
      out.add(t.get());
    }
    return out;
  }

  @Test
  void keysAreServedInTurnEachInTheOrderItsRequestsCame() {
    KeyQueues<String> q = new KeyQueues<>();
    for (int i = 0; i < 5; i++) {
      q.add("a", "a" + i);
    }
    q.add("b", "b0");
    q.add("c", "c0");
    q.add("c", "c1");
    assertThat(q.size()).isEqualTo(8);
    assertThat(q.keys()).isEqualTo(3);
    assertThat(q.waiting("a")).isEqualTo(5);
    assertThat(drain(q)).containsExactly("a0", "b0", "c0", "a1", "c1", "a2", "a3", "a4");
    assertThat(q.size()).isZero();
    assertThat(q.keys()).isZero();
  }

  @Test
  void aKeyThatHadNothingWaitingJoinsAtTheEndOfTheRound() {
    KeyQueues<String> q = new KeyQueues<>();
    q.add("a", "a0");
    q.add("a", "a1");
    q.add("a", "a2");
    assertThat(q.next()).contains("a0");
    q.add("b", "b0"); // arrives while a's flood waits: served after at most one more of a's
    assertThat(drain(q)).containsExactly("a1", "b0", "a2");
  }

  @Test
  void aRemovedRequestFreesItsPlaceAndAnEmptiedKeyLeavesTheRound() {
    KeyQueues<String> q = new KeyQueues<>();
    q.add("a", "a0");
    q.add("b", "b0");
    q.add("b", "b1");
    assertThat(q.remove("a", "a0")).isTrue();
    assertThat(q.remove("a", "a0")).isFalse();
    assertThat(q.remove("b", "a0")).isFalse();
    assertThat(q.keys()).isEqualTo(1);
    assertThat(q.waiting("a")).isZero();
    q.add("c", "c0");
    assertThat(q.clear()).containsExactly("b0", "c0", "b1");
    assertThat(q.size()).isZero();
    assertThat(q.next()).isEmpty();
  }
}
