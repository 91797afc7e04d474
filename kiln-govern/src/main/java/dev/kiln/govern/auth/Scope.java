package dev.kiln.govern.auth;

import java.util.regex.Pattern;

/**
 * One permission: an action on the models a glob matches ({@code invoke:mnist}, {@code invoke:digits-*}, {@code
 * manage:*}, {@code train}, {@code dataset:sales-*}, {@code admin}). For {@link Action#DATASET} the glob matches
 * dataset names instead of model names. A glob has letters, digits, {@code _ . -} and {@code *} (any run of
 * characters); nothing else, so a scope can never match by accident what its text does not show.
 */
public record Scope(Action action, String models) {
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*-]{1,64}");

  public Scope {
    if (!GLOB.matcher(models).matches()) {
      throw new IllegalArgumentException("name pattern '" + models + "' may hold only letters, digits, _ . - and *");
    }
  }

  /** Parses {@code action[:glob]}; the glob defaults to {@code *}. */
  public static Scope parse(String text) {
    int colon = text.indexOf(':');
    return colon < 0
        ? new Scope(Action.of(text), "*")
        : new Scope(Action.of(text.substring(0, colon)), text.substring(colon + 1));
  }

  /** Whether this scope allows {@code action} on {@code model} (null: an action not about one model). */
  public boolean allows(Action wanted, String model) {
    if (action == Action.ADMIN) {
      return true;
    }
    return action == wanted && (model == null ? models.equals("*") : matches(models, model));
  }

  /** Glob matching without regular expressions: it runs on every request, and globs are short. */
  static boolean matches(String glob, String name) {
    int g = 0;
    int n = 0;
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = n;
      } else if (g < glob.length() && glob.charAt(g) == name.charAt(n)) {
        g++;
        n++;
      } else if (star >= 0) {
        g = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  @Override
  public String toString() {
    return action == Action.ADMIN ? "admin" : action.word() + ":" + models;
  }
}
