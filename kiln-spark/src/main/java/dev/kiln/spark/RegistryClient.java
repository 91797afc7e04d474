package dev.kiln.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/** The few registry calls scoring needs: which file a version or alias is, and that file's bytes. */
final class RegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
  private static final Pattern ALIAS = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");

  /** The newest published version, unless the model has an alias of that name. */
  static final String LATEST = "latest";

  private final ArtifactSource source;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

  RegistryClient(ArtifactSource source) {
    this.source = source;
  }

  /**
   * The version {@code versionOrAlias} names: a number, or an alias the registry resolves now (so a job scores one
   * version throughout, even if the alias moves while it runs).
   */
  VersionRef resolve(String model, String versionOrAlias) {
    if (!NAME.matcher(model).matches()) {
      throw KilnException.invalid("model name: '" + model + "' (expected: letters, digits, '_', '.', '-')");
    }
    long version;
    if (VERSION.matcher(versionOrAlias).matches()) {
      version = Long.parseLong(versionOrAlias);
    } else if (ALIAS.matcher(versionOrAlias).matches()) {
      JsonNode m = json("/api/v1/models/" + model, "model '" + model + "'");
      JsonNode aliases = m.path("aliases");
      if (aliases.has(versionOrAlias)) {
        version = aliases.get(versionOrAlias).asLong();
      } else if (versionOrAlias.equals(LATEST)) {
        version = latest(m);
      } else {
        throw KilnException.notFound("no alias '" + versionOrAlias + "' on model '" + model + "'");
      }
    } else {
      throw KilnException.invalid("version: '" + versionOrAlias + "' (expected: a number or an alias)");
    }
    String what = "model '" + model + "' version " + version;
    JsonNode v = json("/api/v1/models/" + model + "/versions/" + version, what);
    if (!"onnx".equals(v.path("format").asText())) {
      throw new KilnException(
          ErrorKind.UNSUPPORTED, what + " is " + v.path("format").asText() + "; Spark scoring runs ONNX models");
    }
    return new VersionRef(model, version, v.path("sha256").asText(), v.path("artifact").asText());
  }

  /** The newest published version, unless an alias is named {@code latest}. */
  private static long latest(JsonNode model) {
    long newest = -1;
    for (JsonNode v : model.path("versions")) {
      if ("PUBLISHED".equals(v.path("state").asText())) {
        newest = Math.max(newest, v.path("version").asLong());
      }
    }
    if (newest < 0) {
      throw KilnException.notFound("model '" + model.path("name").asText() + "' has no published version");
    }
    return newest;
  }

  /** The version's file as the server sends it (the caller checks it against {@link VersionRef#sha256()}). */
  byte[] artifact(VersionRef ref) {
    return send("/api/v1/models/" + ref.model() + "/versions/" + ref.version() + "/artifact", ref.label());
  }

  private JsonNode json(String path, String what) {
    try {
      return JSON.readTree(send(path, what));
    } catch (IOException e) {
      throw new KilnException(ErrorKind.UNAVAILABLE, "the registry's answer about " + what + " is not JSON", e);
    }
  }

  private byte[] send(String path, String what) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(source.registryUrl().replaceAll("/+$", "") + path))
            .timeout(Duration.ofMinutes(10))
            .GET();
    if (!source.apiKey().isEmpty()) {
      b.header("Authorization", "Bearer " + source.apiKey());
    }
    HttpResponse<byte[]> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new KilnException(
          ErrorKind.UNAVAILABLE, "cannot reach the registry at " + source.registryUrl() + " for " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KilnException(ErrorKind.UNAVAILABLE, "interrupted while asking the registry for " + what, e);
    }
    if (r.statusCode() == 200) {
      return r.body();
    }
    String body = new String(r.body(), StandardCharsets.UTF_8);
    String reason = body.length() > 500 ? body.substring(0, 500) + "..." : body;
    ErrorKind kind =
        switch (r.statusCode()) {
          case 401 -> ErrorKind.UNAUTHENTICATED;
          case 403 -> ErrorKind.PERMISSION_DENIED;
          case 404 -> ErrorKind.NOT_FOUND;
          default -> ErrorKind.UNAVAILABLE;
        };
    throw new KilnException(kind, "the registry refused " + what + ": HTTP " + r.statusCode() + " " + reason);
  }
}
