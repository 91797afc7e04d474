package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code kiln datasets add --drop/--hash/--mask} on a server without a database: keys in owner-only files. */
class DatasetPolicyCliTest extends TrainingServerCli {
  @Test
  void columnPoliciesFromTheCommandLineAndTheUploadReportsPersonalColumns() throws Exception {
    StringBuilder csv = new StringBuilder("customer_id,email,phone,postcode,x,y\n");
    for (int x = 0; x < 20; x++) {
      csv.append("cust-").append(x % 4).append(",p").append(x).append("@mail.example,+44 20 7946 09").append(10 + x);
      csv.append(",SW1A ").append(x).append("AA,").append(x).append(',').append(2 * x + 1).append('\n');
    }
    Path file = Files.writeString(files.resolve("people.csv"), csv);
    Run add =
        kiln(
            "datasets",
            "add",
            file.toString(),
            "--label",
            "y",
            "--drop",
            "email",
            "--hash",
            "customer_id",
            "--mask",
            "postcode:4",
            "--url",
            url);
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out())
        .contains("dataset people version 1: 20 rows")
        .contains("policy: {\"drop\":[\"email\"],\"hash\":[\"customer_id\"],\"mask\":{\"postcode\":4}}")
        .contains("column phone looks like phone (20 of 20 values): consider --drop or --hash");
    Path key = data.resolve("dataset-keys/people.key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    try (Stream<Path> stored = Files.walk(data.resolve("datasets"))) {
      for (Path f : stored.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f)).doesNotContain("@mail.example", "cust-", "SW1A 1");
      }
    }

    Run bad = kiln("datasets", "add", file.toString(), "--label", "y", "--hash", "phone2", "--url", url);
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("'phone2'");
  }
}
