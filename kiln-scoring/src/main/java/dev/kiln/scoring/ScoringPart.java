package dev.kiln.scoring;

/**
 * One committed part of a job's output: an artifact in the artifact store holding {@code rows} rows of CSV (part 0 also
 * the header row).
 */
public record ScoringPart(int index, String artifact, String sha256, long size, long rows) {}
