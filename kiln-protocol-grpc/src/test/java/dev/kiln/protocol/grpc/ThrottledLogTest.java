package dev.kiln.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class ThrottledLogTest {
  @Test
  void oneLinePerIntervalCarriesTheCountOfEverythingSinceTheLastLine() {
    Logger logger = Logger.getLogger("kiln.test.throttled");
    logger.setUseParentHandlers(false);
    List<String> lines = new CopyOnWriteArrayList<>();
    logger.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(MessageFormat.format(r.getMessage(), r.getParameters()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    AtomicLong now = new AtomicLong(0);
    ThrottledLog log = new ThrottledLog(logger, "bad things", Duration.ofSeconds(10), now::get);
    log.record("first");
    for (int i = 0; i < 500; i++) {
      now.addAndGet(Duration.ofMillis(10).toNanos());
      log.record("r" + i);
    }
    assertThat(lines).containsExactly("bad things: 1 since the last report (latest: first)");
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    log.record("late");
    assertThat(lines).hasSize(2).last().isEqualTo("bad things: 501 since the last report (latest: late)");
  }
}
