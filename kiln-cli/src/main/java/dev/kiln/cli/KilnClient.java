package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.http.ApiJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BiPredicate;

/** The CLI's side of Kiln's REST API: JSON calls and event streams, with the server's errors as messages. */
final class KilnClient {
  /** A call the server refused, or a server that could not be reached; the message is for the user. */
  static final class CallFailed extends RuntimeException {
    CallFailed(String message) {
      super(message);
    }
  }

  private final String base;
  private final String key;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  KilnClient(String base) {
    this(base, null);
  }

  /**
   * @param key sent as {@code Authorization: Bearer}; null for a server without auth
   */
  KilnClient(String base, String key) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.key = key;
  }

  JsonNode get(String path) {
    return call(HttpRequest.newBuilder(uri(path)).GET());
  }

  JsonNode post(String path, byte[] body, String contentType) {
    return call(
        HttpRequest.newBuilder(uri(path))
            .header("content-type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  JsonNode put(String path, byte[] body) {
    return call(
        HttpRequest.newBuilder(uri(path))
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  JsonNode patch(String path, byte[] body) {
    return call(
        HttpRequest.newBuilder(uri(path))
            .header("content-type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  JsonNode delete(String path) {
    return call(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  /** A file the server sends as it is (a model's bytes), whole in memory: models pushed to the registry are too. */
  byte[] file(String path) {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri(path)).GET(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() / 100 != 2) {
      throw failure(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }

  /**
   * Streams a response body to {@code out}, never holding it in memory: into a temporary file beside it, moved into
   * place once the body is complete, so a broken download leaves no partial file. Returns its size in bytes.
   */
  long download(String path, Path out) {
    HttpResponse<InputStream> r =
        send(HttpRequest.newBuilder(uri(path)).GET(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() / 100 != 2) {
        throw failure(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      Path dir = out.toAbsolutePath().getParent();
      Path part = Files.createTempFile(dir, "." + out.getFileName(), ".part");
      try {
        long n = Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, out, StandardCopyOption.REPLACE_EXISTING);
        return n;
      } finally {
        Files.deleteIfExists(part);
      }
    } catch (IOException e) {
      throw new CallFailed("the download broke: " + e.getMessage());
    }
  }

  /** Follows a job's events until the server ends the stream or {@code handler} returns false. */
  void events(long job, BiPredicate<String, JsonNode> handler) {
    HttpResponse<InputStream> r =
        send(
            HttpRequest.newBuilder(uri("/api/v1/jobs/" + job + "/events")).GET(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() != 200) {
        throw failure(r.statusCode(), new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      String event = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ") && !handler.test(event, ApiJson.MAPPER.readTree(line.substring(6)))) {
          return;
        }
      }
    } catch (IOException e) {
      throw new CallFailed("the event stream broke: " + e.getMessage());
    }
  }

  private JsonNode call(HttpRequest.Builder request) {
    HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw failure(r.statusCode(), r.body());
    }
    try {
      return r.body().isEmpty() ? null : ApiJson.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new CallFailed("the server answered something that is not JSON");
    }
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    try {
      return http.send(request.build(), body);
    } catch (ConnectException e) {
      throw new CallFailed("no Kiln server at " + base + " (start one with ./kiln serve, or pass --url)");
    } catch (IOException e) {
      throw new CallFailed("calling " + base + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CallFailed("interrupted");
    }
  }

  private static CallFailed failure(int status, String body) {
    String message = body;
    try {
      JsonNode error = ApiJson.MAPPER.readTree(body);
      if (error != null && error.hasNonNull("error")) {
        message = error.get("error").asText();
      }
    } catch (IOException ignored) {
      // not the JSON error shape: show the body as it is
    }
    if (status == 401) {
      message += " (pass an API key with --key, or set KILN_API_KEY)";
    }
    return new CallFailed("HTTP " + status + ": " + message);
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }
}
