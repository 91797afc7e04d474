package dev.kiln.core.model;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Which of the versions found in the repository are served (TF Serving's model_version_policy). */
public sealed interface VersionPolicy {
  /** From the versions available, those to serve. */
  Set<Long> select(Collection<Long> available);

  /** The {@code n} highest versions. */
  record Latest(int n) implements VersionPolicy {
    public Latest {
      if (n < 1) {
        throw new IllegalArgumentException("latest needs at least 1 version, got " + n);
      }
    }

    @Override
    public Set<Long> select(Collection<Long> available) {
      TreeSet<Long> all = new TreeSet<>(available);
      TreeSet<Long> out = new TreeSet<>();
      for (Long v : all.descendingSet()) {
        if (out.size() == n) {
          break;
        }
        out.add(v);
      }
      return out;
    }
  }

  /** Every version present. */
  record All() implements VersionPolicy {
    @Override
    public Set<Long> select(Collection<Long> available) {
      return new TreeSet<>(available);
    }
  }

  /** Exactly these versions, where present. */
  record Specific(List<Long> versions) implements VersionPolicy {
    public Specific {
      versions = List.copyOf(versions);
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("specific needs at least one version");
      }
    }

    @Override
    public Set<Long> select(Collection<Long> available) {
      TreeSet<Long> out = new TreeSet<>(versions);
      out.retainAll(available);
      return out;
    }
  }

  static VersionPolicy latest() {
    return new Latest(1);
  }
}
