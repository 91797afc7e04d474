package dev.kiln.bench;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * Marks a cell's measured window in a JFR recording, so {@link JfrSummary} can attribute CPU samples to the cell they
 * were taken in and leave out start-up, warm-up and the other cells. Costs nothing without a recording.
 */
@Name("dev.kiln.bench.MeasuredWindow")
@Label("Measured window")
@Category("Kiln bench")
@Description("The measured part of one load-bench cell")
final class MeasuredWindow extends Event {
  @Label("Cell")
  String cell;
}
