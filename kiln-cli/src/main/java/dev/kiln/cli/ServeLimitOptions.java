package dev.kiln.cli;

import dev.kiln.core.serving.CoreSettings;
import dev.kiln.http.HttpSettings;
import dev.kiln.protocol.grpc.GrpcSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code kiln serve}'s limits on requests: the size of a body or message, how long one may wait, how long to drain. */
final class ServeLimitOptions {
  @Option(
      names = "--max-request-bytes",
      defaultValue = "67108864",
      description = "Largest HTTP request body, " + "after decompression; larger gets 413 (default: ${DEFAULT-VALUE}).")
  int maxRequestBytes;

  @Option(
      names = "--grpc-max-message-bytes",
      defaultValue = "67108864",
      description = "Largest inbound gRPC " + "message; larger gets RESOURCE_EXHAUSTED (default: ${DEFAULT-VALUE}).")
  int grpcMaxMessageBytes;

  @Option(
      names = "--request-timeout",
      defaultValue = "30s",
      description =
          "A request still queued after this " + "long fails with 504 / DEADLINE_EXCEEDED (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(
      names = "--drain-timeout",
      defaultValue = "30s",
      description =
          "On shutdown or unload, how long " + "requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--explain-max-samples",
      defaultValue = "2048",
      description =
          "Most coalitions or patches one /explain request may ask for; more gets 400 (default: ${DEFAULT-VALUE}).")
  int explainMaxSamples;

  HttpSettings http(String host, int port) {
    return HttpSettings.defaults(host, port).withMaxRequestBytes(maxRequestBytes);
  }

  GrpcSettings grpc(String host, int port) {
    return GrpcSettings.of(host, port).withMaxInboundMessageBytes(grpcMaxMessageBytes);
  }

  CoreSettings core() {
    return new CoreSettings(requestTimeout, drainTimeout).withExplainMaxSamples(explainMaxSamples);
  }
}
