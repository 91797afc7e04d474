package dev.kiln.training.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.kiln.core.engine.ModelArtifact;
import dev.kiln.core.error.ErrorKind;
import dev.kiln.core.error.KilnException;
import dev.kiln.core.serving.ColumnPolicies;
import dev.kiln.core.serving.ColumnTransforms;
import dev.kiln.training.data.ColumnPolicy;
import dev.kiln.training.data.DatasetKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The column transforms of a model Kiln trained on a dataset with a {@link ColumnPolicy}: read from the exported ONNX
 * file's metadata ({@code kiln.dataset.policy}, {@code kiln.dataset}) when the version loads, with the dataset name's
 * key from {@link DatasetKeys}, so a served model takes raw values and hashes or masks them as the upload did. Only the
 * model's top-level metadata is read; the graph is skipped without being held. Other models get none.
 */
public final class TrainedColumnPolicies implements ColumnPolicies {
  static final String POLICY = "kiln.dataset.policy";
  static final String DATASET = "kiln.dataset";
  private static final int METADATA_PROPS = 14;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DatasetKeys keys;

  public TrainedColumnPolicies(DatasetKeys keys) {
    this.keys = keys;
  }

  @Override
  public ColumnTransforms of(ModelArtifact artifact) {
    // A stored (registry) artifact has an opaque name; a plain file that is not ONNX belongs to another engine.
    if (artifact.contents().isEmpty() && !artifact.file().getFileName().toString().endsWith(".onnx")) {
      return ColumnTransforms.NONE;
    }
    Map<String, String> meta = metadata(artifact);
    String json = meta.get(POLICY);
    if (json == null) {
      return ColumnTransforms.NONE;
    }
    ColumnPolicy policy;
    try {
      policy = JSON.readValue(json, ColumnPolicy.class);
    } catch (JsonProcessingException | KilnException e) {
      throw new KilnException(ErrorKind.INVALID_ARGUMENT, POLICY + ": not a column policy (" + e.getMessage() + ")");
    }
    Map<String, byte[]> hashKeys = new HashMap<>();
    if (!policy.hash().isEmpty()) {
      String dataset =
          Optional.ofNullable(meta.get(DATASET))
              .map(d -> d.substring(0, Math.max(0, d.lastIndexOf('@'))))
              .filter(d -> !d.isEmpty())
              .orElseThrow(() ->
                  new KilnException(
                      ErrorKind.INVALID_ARGUMENT, POLICY + " hashes columns but " + DATASET + " names no dataset"));
      byte[] key = keys.hashKey(dataset);
      policy.hash().forEach(c -> hashKeys.put(c, key));
    }
    return new ColumnTransforms(Set.copyOf(policy.drop()), hashKeys, policy.mask());
  }

  /** The ONNX ModelProto's metadata_props (field 14), every other field skipped. */
  static Map<String, String> metadata(ModelArtifact artifact) {
    try (InputStream in =
        artifact.contents().isPresent()
            ? new ByteArrayInputStream(artifact.contents().get().read())
            : Files.newInputStream(artifact.file())) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      Map<String, String> out = new LinkedHashMap<>();
      for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == METADATA_PROPS
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          entry(CodedInputStream.newInstance(c.readByteArray()), out);
        } else if (!c.skipField(tag)) {
          break;
        }
      }
      return out;
    } catch (InvalidProtocolBufferException notOnnx) {
      return Map.of(); // not a Kiln-trained model; its engine says what is wrong with it, if anything
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the metadata of " + artifact.name() + " version " + artifact.version(), e);
    }
  }

  private static void entry(CodedInputStream c, Map<String, String> out) throws IOException {
    String key = null;
    String value = null;
    for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = c.readStringRequireUtf8();
        case 2 -> value = c.readStringRequireUtf8();
        default -> c.skipField(tag);
      }
    }
    if (key != null && value != null) {
      out.put(key, value);
    }
  }
}
