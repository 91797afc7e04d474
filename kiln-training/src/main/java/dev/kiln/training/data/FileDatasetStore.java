package dev.kiln.training.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Datasets on the filesystem: {@code <root>/datasets/<name>/<version>/} holds {@code dataset.json} and the raw data. A
 * version is assembled in {@code <root>/datasets/.staging/} and moved into place in one atomic rename, so a crash
 * leaves no half version. A version number is claimed by atomically creating {@code <name>/.claims/<version>}; claims
 * outlive deletes, so a number is never reused.
 */
public final class FileDatasetStore implements DatasetStore {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final String MANIFEST = "dataset.json";
  private static final String CLAIMS = ".claims";

  private final Path datasets;
  private final ReadLimits limits;
  private final ZipArchive.Limits archiveLimits;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A store with the default {@link ReadLimits} and archive limits. */
  public FileDatasetStore(Path root) {
    this(root, ReadLimits.defaults(), ZipArchive.Limits.defaults());
  }

  /**
   * @param limits what every read of a dataset accepts, unless its options give their own
   * @param archiveLimits what an uploaded archive may unpack to
   */
  public FileDatasetStore(Path root, ReadLimits limits, ZipArchive.Limits archiveLimits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.archiveLimits = Objects.requireNonNull(archiveLimits, "archiveLimits");
    this.datasets = root.resolve("datasets");
    try {
      Files.createDirectories(datasets.resolve(".staging"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public DatasetManifest add(String name, Path source, DatasetOptions options, String createdBy) {
    validate(name);
    if (Files.isSymbolicLink(source) || !Files.exists(source)) {
      throw new DatasetException(RawFiles.name(source) + ": not a file or folder");
    }
    return stage(
        name,
        withLimits(options),
        createdBy,
        dir -> {
          Path target = dir.resolve(DatasetFiles.dataName(source, options));
          DatasetFiles.copy(source, target);
          return target;
        });
  }

  /**
   * Unpacks a zipped folder dataset under the staging folder (never the system temp folder), checked as {@link
   * ZipArchive} does, then stores it as {@link #add(String, Path, DatasetOptions)} would. A zip of one top-level folder
   * is that folder (what {@code zip -r digits.zip digits/} makes).
   */
  @Override
  public DatasetManifest addArchive(String name, InputStream zip, DatasetOptions options, String createdBy) {
    validate(name);
    Path scratch = datasets.resolve(".staging").resolve("upload-" + UUID.randomUUID());
    try {
      Files.createDirectories(scratch);
      ZipArchive.extract(zip, scratch, archiveLimits);
      Path root = scratch;
      try (Stream<Path> top = Files.list(scratch)) {
        List<Path> entries = top.toList();
        if (entries.size() == 1 && Files.isDirectory(entries.get(0), LinkOption.NOFOLLOW_LINKS)) {
          root = entries.get(0);
        }
      }
      return add(name, root, options, createdBy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      DatasetFiles.deleteQuietly(scratch);
    }
  }

  private DatasetOptions withLimits(DatasetOptions options) {
    return options.limits() == null ? options.withLimits(limits) : options;
  }

  @Override
  public DatasetManifest add(String name, InputStream source, DatasetOptions options, String createdBy) {
    validate(name);
    DatasetFormat f = options.format() == null ? DatasetFormat.CSV : options.format();
    if (f != DatasetFormat.CSV && f != DatasetFormat.TEXT_CSV) {
      throw new DatasetException("format " + f + " is a folder; upload it as a folder");
    }
    long max = withLimits(options).limitsOrDefault().maxFileBytes();
    return stage(
        name,
        withLimits(options).withFormat(f),
        createdBy,
        dir -> {
          Path target = dir.resolve("data.csv");
          DatasetFiles.copyAtMost(source, target, max);
          return target;
        });
  }

  @Override
  public List<DatasetManifest> list() {
    List<DatasetManifest> out = new ArrayList<>();
    for (String name : DatasetFiles.children(datasets)) {
      for (int v : versions(datasets.resolve(name))) {
        readManifest(datasets.resolve(name).resolve(Integer.toString(v))).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(DatasetManifest::name).thenComparingInt(DatasetManifest::version));
    return out;
  }

  @Override
  public Optional<StoredDataset> get(String name, int version) {
    validate(name);
    Path dir = datasets.resolve(name).resolve(Integer.toString(version));
    return readManifest(dir).map(m -> verified(m, dir));
  }

  @Override
  public Optional<StoredDataset> latest(String name) {
    validate(name);
    return versions(datasets.resolve(name)).stream().max(Integer::compare).flatMap(v -> get(name, v));
  }

  @Override
  public boolean delete(String name, int version) {
    validate(name);
    Path dir = datasets.resolve(name).resolve(Integer.toString(version));
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    // Renamed away first, so readers never see a half-deleted version.
    Path trash = datasets.resolve(".staging").resolve("deleted-" + UUID.randomUUID());
    try {
      Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
      DatasetFiles.deleteTree(trash);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface Writer {
    Path write(Path dir) throws IOException;
  }

  private DatasetManifest stage(String name, DatasetOptions options, String createdBy, Writer writer) {
    Path staging = datasets.resolve(".staging").resolve(UUID.randomUUID().toString());
    try {
      Files.createDirectories(staging);
      Path data = writer.write(staging);
      DatasetManifest draft = describe(name, data, options).by(createdBy);
      return publish(draft, staging);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      DatasetFiles.deleteQuietly(staging);
    }
  }

  private DatasetManifest describe(String name, Path data, DatasetOptions options) throws IOException {
    DatasetFormat format = DatasetReader.format(data, options);
    RawDataset raw = DatasetReader.read(data, options.withFormat(format));
    Checksums.Digest digest = Checksums.of(data);
    List<String> columns = raw instanceof TabularData t ? t.columnNames() : List.of();
    List<String> labels = raw.labels().stream().filter(Objects::nonNull).toList();
    Task.Type forced = raw instanceof TabularData ? options.task() : Task.Type.CLASSIFICATION;
    Task task =
        TaskInference.infer(
            raw instanceof TabularData t ? t.labelColumn() : "label", labels, forced, RawFiles.name(data));
    // The channels chosen from the images are recorded, so the manifest says what the model will take.
    DatasetOptions stored =
        raw instanceof ImageData img && format == DatasetFormat.IMAGE_FOLDER
            ? options.withFormat(format).withChannels(img.channels()).withLimits(null)
            : options.withFormat(format).withLimits(null);
    return new DatasetManifest(
        name,
        0,
        format,
        stored,
        RawFiles.name(data),
        raw.size(),
        columns,
        task.classes(),
        task.type(),
        digest.sha256(),
        digest.size(),
        Instant.now().toString(),
        null,
        raw instanceof TextData text ? TextReport.of(text, task.classes(), options.prepareOptions()) : null);
  }

  private DatasetManifest publish(DatasetManifest draft, Path staging) throws IOException {
    Path named = datasets.resolve(draft.name());
    Files.createDirectories(named.resolve(CLAIMS));
    for (int v = next(named); ; v++) {
      try {
        Files.createDirectory(named.resolve(CLAIMS).resolve(Integer.toString(v)));
      } catch (FileAlreadyExistsException taken) {
        continue;
      }
      DatasetManifest m =
          new DatasetManifest(
              draft.name(),
              v,
              draft.format(),
              draft.options(),
              draft.data(),
              draft.rows(),
              draft.columns(),
              draft.classes(),
              draft.task(),
              draft.sha256(),
              draft.sizeBytes(),
              draft.created(),
              draft.createdBy(),
              draft.text());
      json.writeValue(staging.resolve(MANIFEST).toFile(), m);
      Files.move(staging, named.resolve(Integer.toString(v)), StandardCopyOption.ATOMIC_MOVE);
      return m;
    }
  }

  private static int next(Path named) {
    return versions(named.resolve(CLAIMS)).stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
  }

  private static List<Integer> versions(Path dir) {
    return DatasetFiles.children(dir).stream().filter(n -> n.matches("[1-9][0-9]{0,8}")).map(Integer::valueOf).toList();
  }

  private StoredDataset verified(DatasetManifest m, Path dir) {
    Path data = dir.resolve(m.data());
    try {
      if (!Checksums.of(data).sha256().equals(m.sha256())) {
        throw new DatasetException(
            "dataset "
                + m.name()
                + " version "
                + m.version()
                + ": stored data does not match its checksum (changed or corrupted)");
      }
    } catch (IOException e) {
      throw new DatasetException("dataset " + m.name() + " version " + m.version() + ": stored data is missing", e);
    }
    return new StoredDataset(m, data, limits);
  }

  private Optional<DatasetManifest> readManifest(Path dir) {
    Path f = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(f.toFile(), DatasetManifest.class));
    } catch (IOException e) {
      throw new DatasetException(
          "dataset manifest " + dir.getParent().getFileName() + "/" + dir.getFileName() + " is unreadable", e);
    }
  }

  /** Refuses a bad dataset name with a DatasetException, before anything touches a disk or a database. */
  public static void validate(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new DatasetException(
          "dataset name: '"
              + (name == null ? "" : TabularReader.abbreviate(name))
              + "' (expected: letters, digits, '_', '.', '-', at most 64, starting with a letter or digit)");
    }
  }
}
