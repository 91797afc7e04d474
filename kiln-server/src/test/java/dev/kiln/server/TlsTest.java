package dev.kiln.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.tls.TlsFileException;
import dev.kiln.core.tls.TlsSettings;
import dev.kiln.core.tls.TlsSettings.ClientAuth;
import dev.kiln.govern.crypto.MasterKeys;
import dev.kiln.onnx.ExampleModels;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ServerLiveRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both listeners over TLS and mutual TLS, with a CA, server and client certificates made for the test, called by the
 * JDK's HTTP client and grpc-java.
 */
class TlsTest {
  private static final String ADD_SUB =
      "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,4],"
          + "\"data\":[1,2,3,4]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[1,4],\"data\":[1,1,1,1]}]}";

  @TempDir Path repo;
  @TempDir Path pki;
  TestPki.Issued ca;
  TestPki.Issued server;
  TestPki.Issued clientCa;
  TestPki.Issued client;
  TestPki.Issued stranger;

  @BeforeEach
  void makeCertificates() throws Exception {
    ExampleModels.write(repo, "add_sub", 1, ExampleModels.addSub());
    ca = TestPki.ca(pki, "server-ca");
    server = TestPki.server(pki, ca);
    clientCa = TestPki.ca(pki, "client-ca");
    client = TestPki.client(pki, clientCa, "client");
    stranger = TestPki.client(pki, TestPki.ca(pki, "other-ca"), "stranger");
  }

  Kiln start(TlsSettings tls) throws Exception {
    return Kiln.start(KilnConfig.defaults(repo, 0, 0).withTls(tls));
  }

  TlsSettings serverOnly() {
    return TlsSettings.of(server.certFile(), server.keyFile());
  }

  static HttpClient https(SSLContext ctx) {
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> get(HttpClient c, String url) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient c, String url, String body) throws Exception {
    return c.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static ManagedChannel grpc(int port, SslContextBuilder tls) throws IOException {
    return NettyChannelBuilder.forAddress("localhost", port).sslContext(tls.build()).build();
  }

  static boolean live(ManagedChannel ch) throws InterruptedException {
    try {
      return GRPCInferenceServiceGrpc.newBlockingStub(ch)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .serverLive(ServerLiveRequest.getDefaultInstance())
          .getLive();
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void httpsServesHealthAndInferenceToAClientTrustingTheCa() throws Exception {
    try (Kiln k = start(serverOnly())) {
      HttpClient c = https(ca.trustingContext());
      String base = "https://localhost:" + k.httpPort();
      assertThat(get(c, base + "/v2/health/ready").statusCode()).isEqualTo(200);
      HttpResponse<String> infer = post(c, base + "/v2/models/add_sub/infer", ADD_SUB);
      assertThat(infer.statusCode()).isEqualTo(200);
      assertThat(infer.body()).contains("\"sum\"").contains("[2.0,3.0,4.0,5.0]");
      // The certificate names 127.0.0.1 too, so the address works as well as the name.
      assertThat(get(c, "https://127.0.0.1:" + k.httpPort() + "/v2/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void underTlsTheSessionCookieIsSecure(@TempDir Path data) throws Exception {
    Path masterKey = data.resolve("master.key");
    MasterKeys.generate(masterKey);
    KilnConfig config =
        KilnConfig.defaults(repo, 0, 0)
            .withTls(serverOnly())
            .withGovernance(
                GovernanceConfig.defaults(data)
                    .withAuth(true)
                    .withMasterKey(masterKey)
                    .withScratch(data.resolve("scratch"))
                    .withSessionTtl(Duration.ofMinutes(30)));
    try (Kiln k = Kiln.start(config)) {
      HttpResponse<String> r =
          https(ca.trustingContext())
              .send(
                  HttpRequest.newBuilder(URI.create("https://localhost:" + k.httpPort() + "/api/v1/session"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString("{\"key\":\"" + k.bootstrapToken().orElseThrow() + "\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("set-cookie").orElseThrow())
          .startsWith("kiln_session=")
          .contains("; HttpOnly; SameSite=Strict; Max-Age=1800")
          .endsWith("; Secure");
    }
  }

  @Test
  void plainHttpAndUntrustingClientsAreRefused() throws Exception {
    try (Kiln k = start(serverOnly())) {
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "http://localhost:" + k.httpPort() + "/v2/health/ready"))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(
              () -> get(HttpClient.newHttpClient(), "https://localhost:" + k.httpPort() + "/v2/health/ready"))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void grpcOverTlsAnswersAndRefusesPlaintext() throws Exception {
    try (Kiln k = start(serverOnly())) {
      ManagedChannel ch = grpc(k.grpcPort(), GrpcSslContexts.forClient().trustManager(ca.cert()));
      try {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("add_sub").build()).getReady()).isTrue();
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      ManagedChannel plain = ManagedChannelBuilder.forAddress("localhost", k.grpcPort()).usePlaintext().build();
      assertThatThrownBy(() -> live(plain)).isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(() -> live(grpc(k.grpcPort(), GrpcSslContexts.forClient())))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void requiredClientCertificateMustBeSignedByTheClientCa() throws Exception {
    try (Kiln k = start(serverOnly().withClientAuth(clientCa.certFile(), ClientAuth.REQUIRE))) {
      String ready = "https://localhost:" + k.httpPort() + "/v2/health/ready";
      assertThat(get(https(client.clientContext(ca)), ready).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(https(ca.trustingContext()), ready)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(https(stranger.clientContext(ca)), ready)).isInstanceOf(IOException.class);

      assertThat(
              live(
                  grpc(
                      k.grpcPort(),
                      GrpcSslContexts.forClient().trustManager(ca.cert()).keyManager(client.keyManager()))))
          .isTrue();
      assertThatThrownBy(() -> live(grpc(k.grpcPort(), GrpcSslContexts.forClient().trustManager(ca.cert()))))
          .isInstanceOf(StatusRuntimeException.class);
      assertThatThrownBy(() ->
              live(
                  grpc(
                      k.grpcPort(),
                      GrpcSslContexts.forClient().trustManager(ca.cert()).keyManager(stranger.keyManager()))))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void optionalClientCertificateMayBeAbsentButNotForeign() throws Exception {
    try (Kiln k = start(serverOnly().withClientAuth(clientCa.certFile(), ClientAuth.OPTIONAL))) {
      String ready = "https://localhost:" + k.httpPort() + "/v2/health/ready";
      assertThat(get(https(ca.trustingContext()), ready).statusCode()).isEqualTo(200);
      assertThat(get(https(client.clientContext(ca)), ready).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(https(stranger.clientContext(ca)), ready)).isInstanceOf(IOException.class);
      assertThat(live(grpc(k.grpcPort(), GrpcSslContexts.forClient().trustManager(ca.cert())))).isTrue();
      assertThatThrownBy(() ->
              live(
                  grpc(
                      k.grpcPort(),
                      GrpcSslContexts.forClient().trustManager(ca.cert()).keyManager(stranger.keyManager()))))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void badFilesStopTheStartWithTheFileAndTheProblem() throws Exception {
    Path missing = pki.resolve("missing.pem");
    assertThatThrownBy(() -> start(TlsSettings.of(missing, server.keyFile())))
        .isInstanceOf(TlsFileException.class)
        .hasMessage("TLS certificate chain " + missing + ": no such file");
    assertThatThrownBy(() -> start(TlsSettings.of(server.certFile(), client.keyFile())))
        .isInstanceOf(TlsFileException.class)
        .hasMessage(
            "TLS private key " + client.keyFile() + ": does not belong to the certificate in " + server.certFile());
    assertThatThrownBy(() -> start(TlsSettings.of(server.keyFile(), server.keyFile())))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining("not a PEM certificate file");
    Path garbage = Files.writeString(pki.resolve("garbage.key"), "not a key");
    assertThatThrownBy(() -> start(TlsSettings.of(server.certFile(), garbage)))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining(garbage + ": not a PEM private key");
    Path pkcs1 = TestPki.pkcs1(server, pki.resolve("server-pkcs1.key"));
    assertThatThrownBy(() -> start(TlsSettings.of(server.certFile(), pkcs1)))
        .isInstanceOf(TlsFileException.class)
        .hasMessageContaining("PKCS#1")
        .hasMessageContaining("openssl pkcs8");
    Path missingCa = pki.resolve("missing-ca.pem");
    assertThatThrownBy(() -> start(serverOnly().withClientAuth(missingCa, ClientAuth.REQUIRE)))
        .isInstanceOf(TlsFileException.class)
        .hasMessage("TLS client CA " + missingCa + ": no such file");
  }

  @Test
  void clientAuthNeedsAClientCa() {
    assertThatThrownBy(
            () -> new TlsSettings(server.certFile(), server.keyFile(), java.util.Optional.empty(), ClientAuth.REQUIRE))
        .hasMessageContaining("needs a client CA");
  }
}
