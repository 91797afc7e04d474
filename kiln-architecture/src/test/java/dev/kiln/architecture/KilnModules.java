package dev.kiln.architecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

/**
 * Maps a Kiln class to the Maven module that holds it, from its package alone: the module map in README, written once
 * so that the rules below speak of modules rather than package patterns.
 */
final class KilnModules implements SliceAssignment {

  /** The protocol adapters: each decodes, calls the core and encodes; only the server wires several. */
  static final String[] ADAPTERS = {
    "dev.kiln.protocol.rest..", "dev.kiln.protocol.openai..", "dev.kiln.protocol.grpc.."
  };

  @Override
  public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
    String module = moduleOf(javaClass.getPackageName());
    return module.isEmpty() ? SliceIdentifier.ignore() : SliceIdentifier.of(module);
  }

  @Override
  public String getDescription() {
    return "Kiln modules";
  }

  /** The module's artifact id, or "" for a class outside Kiln. */
  static String moduleOf(String pkg) {
    if (!pkg.equals("dev.kiln") && !pkg.startsWith("dev.kiln.")) {
      return "";
    }
    String[] parts = pkg.split("\\.");
    String first = parts.length > 2 ? parts[2] : "";
    String second = parts.length > 3 ? parts[3] : "";
    return switch (first) {
      case "core", "http", "server", "cli", "spark" -> "kiln-" + first;
      case "onnx" -> "kiln-onnx-format";
      case "engine", "protocol" -> "kiln-" + first + "-" + second;
      case "training", "govern", "scoring" ->
          second.equals("http") || second.equals("djl") || second.equals("store")
              ? "kiln-" + first + "-" + second
              : "kiln-" + first;
      default -> "kiln-unknown(" + pkg + ")";
    };
  }
}
