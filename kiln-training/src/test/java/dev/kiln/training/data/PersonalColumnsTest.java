package dev.kiln.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonalColumnsTest {
  @Test
  void listsEmailPhoneAndLuhnValidCardColumnsButNotNumbersDatesOrIds(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("people.csv");
    Files.writeString(
        csv,
        "mail,tel,card,not_card,count,ratio,day,id,y\n"
            + "a@b.org,+44 20 7946 0958,4111 1111 1111 1111,4111 1111 1111 1112,1234567,0.1234567,2024-01-15,u-17,1\n"
            + "c.d@e.co.uk,020-7946-0959,5500005555555559,5500005555555558,2345678,0.2345678,2024-02-16,u-18,0\n"
            + "NA,(555) 010-4477,378282246310005,378282246310006,3456789,0.3456789,2024-03-17,u-19,1\n");
    StoredDataset stored =
        new StoredDataset(
            new DatasetManifest(
                "people",
                1,
                DatasetFormat.CSV,
                DatasetOptions.csv("y"),
                "people.csv",
                3,
                List.of(),
                List.of(),
                null,
                "x",
                1,
                "now",
                "anonymous",
                null),
            csv);
    assertThat(PersonalColumns.scan(stored))
        .containsExactly(
            new PersonalColumns.PersonalColumn("mail", "email", 2, 2),
            new PersonalColumns.PersonalColumn("tel", "phone", 3, 3),
            new PersonalColumns.PersonalColumn("card", "card_number", 3, 3));
  }

  @Test
  void luhnAcceptsTestCardNumbersOnly() {
    assertThat(PersonalColumns.luhn("4111111111111111")).isTrue();
    assertThat(PersonalColumns.luhn("4111111111111112")).isFalse();
    assertThat(PersonalColumns.luhn("123")).isFalse();
  }
}
