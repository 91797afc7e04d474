/**
 * Batch scoring's routes under {@code /api/v1/scoring-jobs}, over kiln-http: a thin adapter of {@code ScoringService}.
 */
package dev.kiln.scoring.http;
