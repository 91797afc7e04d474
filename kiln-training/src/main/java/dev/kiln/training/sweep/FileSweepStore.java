package dev.kiln.training.sweep;

import dev.kiln.training.job.JsonDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * Sweeps as JSON files, {@code <root>/<id>.json}, beside the jobs in the shared data directory, kept by a {@link
 * JsonDirectory} as the jobs are: replicas never hand out one id twice and a crash leaves the previous or the next
 * state.
 */
public final class FileSweepStore implements SweepStore {
  private final Path root;
  private final JsonDirectory dir;

  public FileSweepStore(Path root) {
    this.root = root;
    this.dir = new JsonDirectory(root, "sweep");
  }

  @Override
  public Sweep create(LongFunction<Sweep> make) {
    return dir.locked(() -> {
      long id = list().stream().mapToLong(Sweep::id).max().orElse(0) + 1;
      Sweep sweep = make.apply(id);
      write(sweep);
      return sweep;
    });
  }

  @Override
  public Optional<Sweep> get(long id) {
    return dir.read(root.resolve(id + ".json"), Sweep.class, id);
  }

  @Override
  public List<Sweep> list() {
    List<Sweep> sweeps = new ArrayList<>();
    try (var files = Files.list(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        String id = name.endsWith(".json") ? name.substring(0, name.length() - 5) : "";
        if (!id.isEmpty() && id.length() < 19 && id.chars().allMatch(Character::isDigit)) {
          get(Long.parseLong(id)).ifPresent(sweeps::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list sweeps", e);
    }
    sweeps.sort(Comparator.comparingLong(Sweep::id).reversed());
    return sweeps;
  }

  @Override
  public Optional<Sweep> update(long id, UnaryOperator<Sweep> change) {
    return dir.locked(() ->
        get(id)
            .map(s -> {
              Sweep next = change.apply(s);
              write(next);
              return next;
            }));
  }

  private void write(Sweep sweep) {
    dir.write(root.resolve(sweep.id() + ".json"), sweep, sweep.id());
  }
}
