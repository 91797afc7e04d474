package dev.kiln.protocol.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.InferenceRequest;
import dev.kiln.core.serving.InferenceResponse;
import dev.kiln.core.tensor.BytesLayout;
import dev.kiln.core.tensor.DataType;
import dev.kiln.core.tensor.Shape;
import dev.kiln.core.tensor.Tensor;
import dev.kiln.protocol.grpc.proto.ModelInferRequest;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferInputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferRequest.InferRequestedOutputTensor;
import dev.kiln.protocol.grpc.proto.ModelInferResponse;
import dev.kiln.protocol.grpc.proto.ModelInferResponse.InferOutputTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts {@code ModelInferRequest}s into core requests and core responses into {@code ModelInferResponse}s.
 *
 * <p>Raw contents are little-endian and row-major, the layout {@link Tensor} keeps, so a fixed-size tensor crosses the
 * codec without a per-element loop; BYTES in raw form are in {@link BytesLayout}, shared with REST. Typed contents
 * ({@code fp32_contents} and the rest) go through {@link TypedContents}. Every size is checked against the declared
 * shape, with overflow checks, before anything is allocated, and every failure is an INVALID_ARGUMENT naming the input.
 */
public final class TensorCodec {
  private static final String SHARED_MEMORY_REGION = "shared_memory_region";
  private static final String CLASSIFICATION = "classification";

  private TensorCodec() {}

  /**
   * Decodes inputs and requested outputs.
   *
   * @throws KilnException INVALID_ARGUMENT for a malformed request, UNSUPPORTED for shared memory or classification
   *     outputs, which Kiln does not offer
   */
  public static InferenceRequest decode(ModelInferRequest request) {
    List<InferInputTensor> inputs = request.getInputsList();
    int raw = request.getRawInputContentsCount();
    if (raw > 0 && raw != inputs.size()) {
      throw KilnException.invalid(
          "raw_input_contents has "
              + raw
              + " entries for "
              + inputs.size()
              + " inputs (expected: one per input, in the order of inputs)");
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      InferInputTensor in = inputs.get(i);
      if (in.getName().isEmpty()) {
        throw KilnException.invalid("input " + i + " has no name");
      }
      if (tensors.containsKey(in.getName())) {
        throw KilnException.invalid("input '" + in.getName() + "' appears twice");
      }
      tensors.put(in.getName(), decodeInput(in, raw > 0 ? request.getRawInputContents(i) : null));
    }
    return new InferenceRequest(request.getId(), tensors, requestedOutputs(request));
  }

  /**
   * Encodes a core response. With {@code raw} the tensors go to {@code raw_output_contents} (what tritonclient reads
   * when it sent raw inputs); otherwise to typed contents, unless an output is FP16 or BF16, which have no typed field:
   * then the whole response is raw, since the protocol does not allow mixing the two forms.
   */
  public static ModelInferResponse encode(InferenceResponse response, boolean raw) {
    boolean asRaw = raw || response.outputs().values().stream().anyMatch(TypedContents::rawOnly);
    ModelInferResponse.Builder b =
        ModelInferResponse.newBuilder()
            .setModelName(response.model())
            .setModelVersion(Long.toString(response.version()))
            .setId(response.id());
    for (Map.Entry<String, Tensor> e : response.outputs().entrySet()) {
      Tensor t = e.getValue();
      InferOutputTensor.Builder out = InferOutputTensor.newBuilder().setName(e.getKey()).setDatatype(t.type().name());
      for (long d : t.shape()) {
        out.addShape(d);
      }
      if (asRaw) {
        b.addRawOutputContents(raw(e.getKey(), t));
      } else {
        out.setContents(TypedContents.encode(t));
      }
      b.addOutputs(out);
    }
    return b.build();
  }

  private static Tensor decodeInput(InferInputTensor in, ByteString raw) {
    String name = in.getName();
    if (in.containsParameters(SHARED_MEMORY_REGION)) {
      throw KilnException.unsupported(
          "input '" + name + "': shared memory is not supported; send the data in" + " raw_input_contents");
    }
    // Spelled exactly as the protocol does ("FP32", not "fp32"), as over REST and as Triton requires.
    String spelled = in.getDatatype();
    DataType type =
        DataType.parse(spelled)
            .filter(t -> t.name().equals(spelled))
            .orElseThrow(() ->
                KilnException.invalid(
                    "input '"
                        + name
                        + "': unknown datatype '"
                        + spelled
                        + "' ("
                        + DataType.parse(spelled)
                            .map(t -> "datatypes are spelled as the protocol does: " + t.name())
                            .orElse("expected one of: " + Arrays.toString(DataType.values()))
                        + ")"));
    long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
    try {
      if (raw == null) {
        return TypedContents.decode(type, shape, in.getContents());
      }
      if (TypedContents.isSet(in.getContents())) {
        throw KilnException.invalid("contents and raw_input_contents cannot be mixed; send one or the other");
      }
      return type == DataType.BYTES
          ? BytesLayout.decode(shape, raw.asReadOnlyByteBuffer(), "raw_input_contents")
          : rawFixed(type, shape, raw);
    } catch (KilnException e) {
      throw new KilnException(e.kind(), "input '" + name + "': " + e.getMessage());
    }
  }

  private static Tensor rawFixed(DataType type, long[] shape, ByteString raw) {
    long expected = Shape.byteSize(type, shape);
    if (raw.size() != expected) {
      throw KilnException.invalid(
          "raw_input_contents has "
              + raw.size()
              + " bytes (expected: "
              + expected
              + " for shape "
              + Arrays.toString(shape)
              + " of "
              + type
              + ")");
    }
    // ByteStrings are immutable, so a read-only view is enough: no copy.
    return Tensor.of(type, shape, raw.asReadOnlyByteBuffer());
  }

  private static ByteString raw(String name, Tensor t) {
    if (t.type() != DataType.BYTES) {
      // Tensors are immutable and their buffers read-only, so wrapping instead of copying is safe.
      return UnsafeByteOperations.unsafeWrap(t.data());
    }
    try {
      return UnsafeByteOperations.unsafeWrap(BytesLayout.encode(t));
    } catch (KilnException e) {
      throw new KilnException(e.kind(), "output '" + name + "': " + e.getMessage());
    }
  }

  private static List<String> requestedOutputs(ModelInferRequest request) {
    List<String> names = new ArrayList<>(request.getOutputsCount());
    for (InferRequestedOutputTensor o : request.getOutputsList()) {
      if (o.containsParameters(CLASSIFICATION)) {
        throw KilnException.unsupported("output '" + o.getName() + "': classification is not supported");
      }
      if (o.containsParameters(SHARED_MEMORY_REGION)) {
        throw KilnException.unsupported("output '" + o.getName() + "': shared memory is not supported");
      }
      names.add(o.getName());
    }
    return names;
  }
}
