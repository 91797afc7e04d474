package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZipArchiveTest {
  @TempDir Path dir;

  static byte[] zip(String name, byte[] content) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry("ok/a.txt"));
      z.write("fine".getBytes());
      z.closeEntry();
      z.putNextEntry(new ZipEntry(name));
      z.write(content);
      z.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void unpacksATree() throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    ZipArchive.extract(
        new ByteArrayInputStream(zip("cats/1.png", new byte[] {1, 2})), target, ZipArchive.Limits.defaults());
    assertThat(target.resolve("cats/1.png")).hasBinaryContent(new byte[] {1, 2});
    assertThat(target.resolve("ok/a.txt")).hasContent("fine");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../evil.txt", "a/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "a\\..\\evil.txt", "..", "a/.."})
  void entriesThatLeaveTheTargetAreRefusedAndNothingEscapes(String name) throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    assertThatThrownBy(() ->
            ZipArchive.extract(
                new ByteArrayInputStream(zip(name, "x".getBytes())), target, ZipArchive.Limits.defaults()))
        .isInstanceOf(DatasetException.class)
        .hasMessageContaining("archive entry");
    assertThat(dir.resolve("evil.txt")).doesNotExist();
  }

  @Test
  void aZipBombStopsAtTheSizeCap() throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    byte[] zeros = new byte[1 << 20]; // compresses to about 1 KB
    assertThatThrownBy(() ->
            ZipArchive.extract(
                new ByteArrayInputStream(zip("big.bin", zeros)), target, new ZipArchive.Limits(100, 64 * 1024)))
        .hasMessageContaining("more than 65536 bytes");
  }

  @Test
  void tooManyEntriesAndNonZipsAreRefused() throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    assertThatThrownBy(() ->
            ZipArchive.extract(
                new ByteArrayInputStream(zip("b.txt", new byte[1])), target, new ZipArchive.Limits(1, 1 << 20)))
        .hasMessageContaining("more than 1 entries");
    assertThatThrownBy(() ->
            ZipArchive.extract(new ByteArrayInputStream("a,b\n1,2\n".getBytes()), target, ZipArchive.Limits.defaults()))
        .hasMessageContaining("not a zip");
  }

  @Test
  void aFileThatIsAlsoAFolderIsNamedByItsEntryNeverByAServerPath() throws Exception {
    Path target = Files.createDirectory(dir.resolve("kiln-upload-123"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry("a"));
      z.write(1);
      z.closeEntry();
      z.putNextEntry(new ZipEntry("a/b.png"));
      z.write(2);
      z.closeEntry();
    }
    assertThatThrownBy(() ->
            ZipArchive.extract(new ByteArrayInputStream(bytes.toByteArray()), target, ZipArchive.Limits.defaults()))
        .isInstanceOf(DatasetException.class)
        .hasMessage("archive entry 'a/b.png': cannot be unpacked (a file and a folder of the same name?)")
        .message()
        .doesNotContain(dir.toString())
        .doesNotContain("kiln-upload");
  }

  @Test
  void aBombIsRefusedByItsCompressionRatioAfterWritingLittle() throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    byte[] zeros = new byte[64 << 20]; // 64 MiB that deflate to about 64 KiB
    assertThatThrownBy(() ->
            ZipArchive.extract(
                new ByteArrayInputStream(zip("cats/z.png", zeros)), target, ZipArchive.Limits.defaults()))
        .isInstanceOf(DatasetTooLargeException.class)
        .hasMessageStartingWith(
            "archive entry 'cats/z.png': unpacks to more than "
                + ZipArchive.Limits.defaults().maxRatio()
                + " times its compressed size");
    assertThat(Files.size(target.resolve("cats/z.png"))).isLessThan(4L << 20);
  }

  @Test
  void aDeclaredSizeOverTheCapIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path target = Files.createDirectory(dir.resolve("t"));
    byte[] content = new byte[2 << 20];
    ZipEntry e = new ZipEntry("cats/big.png");
    e.setMethod(ZipEntry.STORED); // stored entries declare their size in the local header
    e.setSize(content.length);
    e.setCompressedSize(content.length);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(content);
    e.setCrc(crc.getValue());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(e);
      z.write(content);
      z.closeEntry();
    }
    assertThatThrownBy(() ->
            ZipArchive.extract(
                new ByteArrayInputStream(bytes.toByteArray()), target, new ZipArchive.Limits(100, 1 << 20)))
        .isInstanceOf(DatasetTooLargeException.class)
        .hasMessage("archive entry 'cats/big.png': the archive unpacks to more than 1048576 bytes");
    assertThat(target.resolve("cats/big.png")).doesNotExist();
  }
}
