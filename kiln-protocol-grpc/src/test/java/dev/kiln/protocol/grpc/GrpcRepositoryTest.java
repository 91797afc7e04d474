package dev.kiln.protocol.grpc;

import static dev.kiln.protocol.grpc.StatusAssert.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.serving.InferenceCore;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc;
import dev.kiln.protocol.grpc.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.kiln.protocol.grpc.proto.ModelReadyRequest;
import dev.kiln.protocol.grpc.proto.ModelRepositoryParameter;
import dev.kiln.protocol.grpc.proto.RepositoryIndexRequest;
import dev.kiln.protocol.grpc.proto.RepositoryIndexResponse.ModelIndex;
import dev.kiln.protocol.grpc.proto.RepositoryModelLoadRequest;
import dev.kiln.protocol.grpc.proto.RepositoryModelUnloadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repository index, load and unload; each test gets its own core because they change what is loaded. */
class GrpcRepositoryTest {
  @TempDir Path root;
  private TcpKiln kiln;
  private InferenceCore core;
  private GRPCInferenceServiceBlockingStub stub;

  @BeforeEach
  void start() {
    kiln = TcpKiln.start(root);
    core = kiln.core();
    stub = GRPCInferenceServiceGrpc.newBlockingStub(kiln.channel());
  }

  @AfterEach
  void stop() {
    kiln.close();
  }

  private List<ModelIndex> index(boolean readyOnly) {
    return stub.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(readyOnly).build()).getModelsList();
  }

  @Test
  void indexListsEveryModelVersionWithItsState() {
    assertThat(index(false))
        .extracting(ModelIndex::getName)
        .containsExactly("add_sub", "identity_bytes", "identity_fp16", "identity_int8", "mlp", "mlp_batched");
    assertThat(index(false))
        .allSatisfy(m -> {
          assertThat(m.getVersion()).isEqualTo("1");
          assertThat(m.getState()).isEqualTo("READY");
        });
  }

  @Test
  void unloadedModelRefusesInferenceUntilItIsLoadedAgain() {
    stub.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("mlp").build());

    assertThatThrownBy(() -> stub.modelInfer(Requests.mlpRaw("", new float[16], 1)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.NOT_FOUND, Status.Code.UNAVAILABLE));
    assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("mlp").build()).getReady()).isFalse();
    assertThat(index(true)).extracting(ModelIndex::getName).doesNotContain("mlp");
    assertThat(index(false))
        .filteredOn(m -> m.getName().equals("mlp"))
        .singleElement()
        .satisfies(m -> assertThat(m.getState()).isEqualTo("UNAVAILABLE"));

    stub.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("mlp").build());

    assertThat(stub.modelInfer(Requests.mlpRaw("", new float[16], 1)).getRawOutputContentsCount()).isEqualTo(1);
    assertThat(index(true)).extracting(ModelIndex::getName).contains("mlp");
  }

  @Test
  void loadingAnUnknownModelIsNotFound() {
    assertStatus(
        () -> stub.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("nope").build()),
        Status.Code.NOT_FOUND,
        "nope");
    assertStatus(
        () -> stub.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("nope").build()),
        Status.Code.NOT_FOUND,
        "nope");
  }

  @Test
  void loadParametersAreRefusedRatherThanIgnored() {
    assertStatus(
        () ->
            stub.repositoryModelLoad(
                RepositoryModelLoadRequest.newBuilder()
                    .setModelName("mlp")
                    .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam("{}").build())
                    .build()),
        Status.Code.UNIMPLEMENTED,
        "config");
  }

  @Test
  void invalidModelNameIsAnInvalidArgument() {
    assertStatus(
        () -> stub.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("../etc").build()),
        Status.Code.INVALID_ARGUMENT);
  }
}
