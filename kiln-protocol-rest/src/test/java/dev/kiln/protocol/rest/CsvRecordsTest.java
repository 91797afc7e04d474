package dev.kiln.protocol.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.core.error.KilnException;
import dev.kiln.protocol.rest.CsvRecords.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 bodies as pandas and spreadsheets write them, and malformed quoting named by line. */
class CsvRecordsTest {
  @Test
  void quotedFieldsHoldCommasDoubledQuotesAndLineBreaks() {
    List<Record> r =
        CsvRecords.parse("city,note\r\n\"Oslo, NO\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",x\r\nBergen, plain \r\n");
    assertThat(r)
        .containsExactly(
            new Record(1, List.of("city", "note")),
            new Record(2, List.of("Oslo, NO", "say \"hi\"")),
            new Record(3, List.of("two\r\nlines", "x")),
            new Record(5, List.of("Bergen", "plain")));
  }

  @Test
  void blankLinesAreSkippedAndEmptyFieldsKept() {
    List<Record> r = CsvRecords.parse("\uFEFFa,b\n\n  \n1,\n\"\"\r,2");
    assertThat(r)
        .containsExactly(
            new Record(1, List.of("a", "b")),
            new Record(4, List.of("1", "")),
            new Record(5, List.of("")),
            new Record(6, List.of("", "2")));
  }

  @Test
  void spacesAroundQuotesAreDroppedButKeptInside() {
    assertThat(CsvRecords.parse("a,b\n1,  \" x \"  \n").get(1).cells()).containsExactly("1", " x ");
  }

  @Test
  void malformedQuotingIsNamedByItsLine() {
    assertThatThrownBy(() -> CsvRecords.parse("a,b\n1,2\n3,\"open\n4,5\n"))
        .isInstanceOf(KilnException.class)
        .hasMessage("CSV line 3: a quoted field is not closed");
    assertThatThrownBy(() -> CsvRecords.parse("a,b\n1,\"x\"y\n"))
        .hasMessage("CSV line 2: text after a closing quote (a quote inside a quoted field is written twice)");
    assertThatThrownBy(() -> CsvRecords.parse("a,b\n\"multi\nline\",2\n5\",6\n"))
        .hasMessage("CSV line 4: a quote inside an unquoted field (quote the whole field and write the quote twice)");
  }
}
