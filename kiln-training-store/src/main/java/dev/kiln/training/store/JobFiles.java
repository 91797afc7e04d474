package dev.kiln.training.store;

import dev.kiln.govern.crypto.ArtifactCipher;
import dev.kiln.govern.crypto.ArtifactStore;
import dev.kiln.govern.store.Database;
import dev.kiln.govern.store.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A job's files for replicas that share no folder: the engine works in this process's own {@link #directory}, and each
 * file is published to the artifact store (encrypted, checksummed) with a row in {@code job_files} naming its artifact,
 * so any replica can fetch the exported model or splits, and resume from the last published checkpoint.
 *
 * <p>A replaced file's row points at the new artifact before the old one is deleted, and a folder's JSON state files
 * ({@code checkpoint.json}, which names the weights to load) are published after the files they name, so a replica
 * restoring at any moment gets a state whose weights are there.
 */
final class JobFiles {
  /** A published file: where its bytes are, and their SHA-256. */
  private record Stored(String name, String artifact, String sha256) {}

  private final Database db;
  private final ArtifactStore artifacts;
  private final Path workspace;
  private final String forUpdate;

  JobFiles(Database db, ArtifactStore artifacts, Path workspace) {
    this.db = db;
    this.artifacts = artifacts;
    this.workspace = workspace;
    this.forUpdate = db.dialect() == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
  }

  Path directory(long id) {
    Path dir = workspace.resolve(Long.toString(id));
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the working folder of job " + id, e);
    }
  }

  void deleteWorkspace() {
    if (!Files.exists(workspace)) {
      return;
    }
    try (Stream<Path> all = Files.walk(workspace)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the job working folder " + workspace, e);
    }
  }

  void publish(long id, String name) {
    Path path = directory(id).resolve(name);
    if (Files.isDirectory(path)) {
      mirror(id, name, path);
    } else if (Files.isRegularFile(path)) {
      put(id, name, path);
    }
  }

  /** Publishes every file in {@code dir} (state files last) and unpublishes those no longer there. */
  private void mirror(long id, String folder, Path dir) {
    List<Path> files;
    try (Stream<Path> listed = Files.list(dir)) {
      files =
          listed
              .filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().endsWith(".tmp"))
              .sorted(
                  Comparator.comparing((Path p) -> p.getFileName().toString().endsWith(".json"))
                      .thenComparing(p -> p.getFileName().toString()))
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the files of job " + id, e);
    }
    Set<String> present = new HashSet<>();
    for (Path f : files) {
      String name = folder + "/" + f.getFileName();
      present.add(name);
      put(id, name, f);
    }
    for (Stored s : published(id)) {
      if (s.name().startsWith(folder + "/") && !present.contains(s.name())) {
        db.transaction(c -> delete(c, id, s.name()));
        artifacts.delete(s.artifact());
      }
    }
  }

  /**
   * Deletes every published file of the job: each row, then its artifact (a reader between the two finds the file gone,
   * never a row without its bytes for long), then this process's working and fetched copies. Other replicas' working
   * folders hold copies only while they run or serve the job, and are deleted when they stop.
   */
  void deleteAll(long id) {
    for (Stored s : published(id)) {
      db.transaction(c -> delete(c, id, s.name()));
      artifacts.delete(s.artifact());
    }
    DatasetCache.deleteQuietly(workspace.resolve(Long.toString(id)));
    DatasetCache.deleteQuietly(workspace.resolve("fetched").resolve(Long.toString(id)));
  }

  private void put(long id, String name, Path file) {
    String sha = sha256(file);
    if (published(id).stream().anyMatch(s -> s.name().equals(name) && s.sha256().equals(sha))) {
      return; // unchanged since it was published (a best-weights file kept across epochs)
    }
    ArtifactStore.PutResult r;
    try (InputStream in = Files.newInputStream(file)) {
      r = artifacts.put(in, ArtifactCipher.MAX_IN_MEMORY);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + name + " of job " + id, e);
    }
    Optional<String> replaced =
        db.transaction(c -> {
          Optional<String> before = artifact(c, id, name);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO job_files (job_id, name, artifact, sha256, size) VALUES (?, ?, ?, ?, ?)"
                      + " ON CONFLICT (job_id, name) DO UPDATE SET artifact = excluded.artifact,"
                      + " sha256 = excluded.sha256, size = excluded.size")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            ps.setString(3, r.key());
            ps.setString(4, r.sha256());
            ps.setLong(5, r.sizeBytes());
            ps.executeUpdate();
          }
          return before;
        });
    replaced.filter(k -> !k.equals(r.key())).ifPresent(artifacts::delete);
  }

  /** Fetches every published file of the job into its folder, unless the folder already holds the same bytes. */
  void restore(long id) {
    for (Stored s : published(id)) {
      Path target = directory(id).resolve(s.name());
      if (!Files.isRegularFile(target) || !sha256(target).equals(s.sha256())) {
        fetch(id, s, target);
      }
    }
  }

  /**
   * The published {@code name}, fetched beside (not into) the job's folder: a fetch must never replace a file the
   * engine has just written there and not yet published (the splits with their predictions).
   */
  Optional<Path> fetch(long id, String name) {
    return published(id).stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .map(s -> fetch(id, s, workspace.resolve("fetched").resolve(Long.toString(id)).resolve(name)));
  }

  private Path fetch(long id, Stored s, Path target) {
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the working folder of job " + id, e);
    }
    artifacts.readTo(s.artifact(), s.sha256(), target);
    return target;
  }

  private List<Stored> published(long id) {
    return db.read(c -> {
      List<Stored> files = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement("SELECT name, artifact, sha256 FROM job_files WHERE job_id = ? ORDER BY name")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            files.add(new Stored(rs.getString(1), rs.getString(2), rs.getString(3)));
          }
        }
      }
      return files;
    });
  }

  private Optional<String> artifact(Connection c, long id, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT artifact FROM job_files WHERE job_id = ? AND name = ?" + forUpdate)) {
      ps.setLong(1, id);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static int delete(Connection c, long id, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM job_files WHERE job_id = ? AND name = ?")) {
      ps.setLong(1, id);
      ps.setString(2, name);
      return ps.executeUpdate();
    }
  }

  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file.getFileName(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
