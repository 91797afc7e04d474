package dev.kiln.cli;

import picocli.CommandLine.Option;

/** Where the CLI finds the server: {@code --url}, else {@code KILN_URL}, else the local default. */
final class ClientOptions {
  @Option(names = "--url", description = "Kiln server (default: $KILN_URL or http://127.0.0.1:8000).")
  String url;

  @Option(names = "--key", description = "API key, when the server requires one (default: $KILN_API_KEY).")
  String key;

  KilnClient client() {
    String u = url != null ? url : System.getenv().getOrDefault("KILN_URL", "http://127.0.0.1:8000");
    return new KilnClient(u, key != null ? key : System.getenv("KILN_API_KEY"));
  }
}
