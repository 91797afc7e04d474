package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.onnx.ExampleModels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** A registry version's file over the API, by version and by alias: the pushed bytes, to keys that manage it only. */
class RegistryArtifactServerTest extends GovernanceServerFixture {
  HttpResponse<byte[]> artifact(String path, String key) throws Exception {
    HttpRequest.Builder get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + kiln.httpPort() + path)).GET();
    if (key != null) {
      get.header("Authorization", "Bearer " + key);
    }
    return http.send(get.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aVersionsFileComesBackByVersionAndAliasWithItsChecksum() throws Exception {
    start(true);
    push("add_sub");
    assertThat(call("PUT", "/api/v1/models/add_sub/aliases/production", admin, "{\"version\":1}").statusCode())
        .isEqualTo(200);
    JsonNode v1 = JSON.readTree(call("GET", "/api/v1/models/add_sub/versions/1", admin, (String) null).body());
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ExampleModels.addSub()));
    assertThat(v1.path("sha256").asText()).isEqualTo(sha);

    for (String path :
        new String[] {
          "/api/v1/models/add_sub/versions/1/artifact", "/api/v1/models/add_sub/aliases/production/artifact"
        }) {
      HttpResponse<byte[]> r = artifact(path, admin);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      assertThat(r.body()).as(path).isEqualTo(ExampleModels.addSub());
      assertThat(r.headers().firstValue("kiln-sha256")).as(path).contains(sha);
      assertThat(r.headers().firstValue("content-type")).as(path).contains("application/octet-stream");
    }
    assertThat(artifact("/api/v1/models/add_sub/versions/1/artifact", null).statusCode()).isEqualTo(401);
    String invoker = key("invoker", "invoke:add_sub");
    assertThat(artifact("/api/v1/models/add_sub/versions/1/artifact", invoker).statusCode()).isEqualTo(403);
    String manager = key("manager", "manage:add_*");
    assertThat(artifact("/api/v1/models/add_sub/aliases/production/artifact", manager).body())
        .isEqualTo(ExampleModels.addSub());

    HttpResponse<byte[]> noVersion = artifact("/api/v1/models/add_sub/versions/9/artifact", admin);
    assertThat(noVersion.statusCode()).isEqualTo(404);
    assertThat(new String(noVersion.body())).contains("no version 9 of model 'add_sub'");
    HttpResponse<byte[]> noAlias = artifact("/api/v1/models/add_sub/aliases/staging/artifact", admin);
    assertThat(noAlias.statusCode()).isEqualTo(404);
    assertThat(new String(noAlias.body())).contains("no alias 'staging' on model 'add_sub'");
  }
}
