package dev.kiln.core.oip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ServerIdentityTest {
  @Test
  void theReleaseConstantIsTheMavenProjectVersionWithoutSnapshot() throws Exception {
    Properties p = new Properties();
    try (InputStream in = ServerIdentityTest.class.getResourceAsStream("project.properties")) {
      p.load(in);
    }
    assertThat(ServerIdentity.VERSION).isEqualTo(p.getProperty("version").replace("-SNAPSHOT", ""));
  }
}
