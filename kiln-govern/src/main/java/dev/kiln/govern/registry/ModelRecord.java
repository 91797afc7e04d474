package dev.kiln.govern.registry;

import java.time.Instant;

/** A registered model. {@code card} is free text (Markdown) describing it. */
public record ModelRecord(String name, String card, Instant created, String createdBy, boolean archived) {}
