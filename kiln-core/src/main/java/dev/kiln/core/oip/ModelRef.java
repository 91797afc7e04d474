package dev.kiln.core.oip;

import dev.kiln.core.error.KilnException;
import java.util.Objects;

/**
 * How a request finds its model: a name, and either a version or an alias (neither: the highest ready version). The
 * alias comes from the name ({@code mnist@production}, as REST paths and gRPC name fields may carry it) or, when the
 * name has none, from {@link #ALIAS_KEY}: the REST header and the gRPC metadata key of that name.
 *
 * @param name the model's name, without alias
 * @param version a version number as the caller wrote it, empty for none
 * @param alias an alias, empty for none
 */
public record ModelRef(String name, String version, String alias) {
  /** The REST header and gRPC request metadata key that names a version by alias. */
  public static final String ALIAS_KEY = "kiln-model-alias";

  public ModelRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(alias, "alias");
    if (!version.isEmpty() && !alias.isEmpty()) {
      throw KilnException.invalid("name a version or an alias, not both");
    }
  }

  /**
   * A reference as a request carries it.
   *
   * @param name {@code model} or {@code model@alias}
   * @param version empty for none
   * @param aliasKey the value of {@link #ALIAS_KEY}, empty for none; an alias in {@code name} wins
   */
  public static ModelRef of(String name, String version, String aliasKey) {
    int at = name.indexOf('@');
    if (at >= 0) {
      return new ModelRef(name.substring(0, at), version, name.substring(at + 1));
    }
    return new ModelRef(name, version, aliasKey);
  }

  /** A reference to the highest ready version of {@code name}. */
  public static ModelRef latest(String name) {
    return of(name, "", "");
  }

  /** The reference in the form the inference core takes: {@code model} or {@code model@alias}. */
  String coreRef() {
    return alias.isEmpty() ? name : name + "@" + alias;
  }
}
