package dev.kiln.bench.soak;

/**
 * A scrape of {@code /metrics} in the Prometheus text format: sums the samples of one metric name, over all its label
 * sets or those whose labels contain a given text.
 */
record PromText(String text) {
  /** Sum of every sample named exactly {@code name}; 0 when there is none. */
  double sum(String name) {
    return sum(name, "");
  }

  /** Sum of the samples named {@code name} whose label part contains {@code labelText}. */
  double sum(String name, String labelText) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      int nameEnd = brace >= 0 && brace < space ? brace : line.indexOf(' ');
      if (nameEnd != name.length() || space < 0) {
        continue;
      }
      String labels = brace >= 0 && brace < space ? line.substring(brace, line.indexOf('}', brace) + 1) : "";
      if (labels.contains(labelText)) {
        total += Double.parseDouble(line.substring(space + 1));
      }
    }
    return total;
  }
}
