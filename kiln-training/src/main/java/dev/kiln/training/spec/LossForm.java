package dev.kiln.training.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A spec's {@code loss} as written: a bare name ({@code loss: sparse_categorical_crossentropy}) or, to say the model
 * ends in logits as Keras's {@code from_logits=True} does, a mapping ({@code loss: {name: ..., from_logits: true}}).
 * Written back in the shortest of the two forms.
 */
record LossForm(LossSpec name, Boolean fromLogits) {
  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  LossForm {
    if (name == null) {
      throw new SpecException("loss: missing 'name'");
    }
    fromLogits = fromLogits != null && fromLogits;
  }

  /** A String creator, so Jackson uses it for scalars only and the canonical constructor for mappings. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static LossForm named(String name) {
    return new LossForm(SpecMappers.named(LossSpec.class, name, "loss"), false);
  }

  @JsonValue
  Object written() {
    if (!fromLogits) {
      return name;
    }
    Map<String, Object> form = new LinkedHashMap<>();
    form.put("name", name);
    form.put("from_logits", true);
    return form;
  }
}
