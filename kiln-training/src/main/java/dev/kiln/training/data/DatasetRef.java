package dev.kiln.training.data;

/** A dataset version as lineage records it. */
public record DatasetRef(String name, int version, String sha256) {}
