package dev.kiln.core.oip;

import java.util.List;

/**
 * What the server says it is, on every protocol and in {@code kiln --version}: the one place its name and version are
 * written. {@code ServerIdentityTest} keeps {@link #VERSION} in step with the Maven project version.
 */
public final class ServerIdentity {
  public static final String NAME = "kiln";

  /** The release, without Maven's {@code -SNAPSHOT}: a constant, so the CLI's annotations can name it. */
  public static final String VERSION = "0.1.0";

  /** The OIP extensions every protocol implements, as Triton names them. */
  public static final List<String> EXTENSIONS = List.of("model_repository", "model_configuration", "statistics");

  private ServerIdentity() {}
}
