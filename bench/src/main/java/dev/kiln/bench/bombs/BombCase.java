package dev.kiln.bench.bombs;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * One bomb of {@link BombBench}: {@code copies} identical POSTs of {@code body} to {@code path}, sent at once.
 *
 * @param what the bomb in words, for the report
 * @param gzip whether {@code body} is sent with {@code Content-Encoding: gzip}
 */
record BombCase(String name, String what, int copies, String path, String contentType, boolean gzip, byte[] body) {
  HttpRequest request(String base) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofMinutes(2))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    return (gzip ? b.header("Content-Encoding", "gzip") : b).build();
  }
}
