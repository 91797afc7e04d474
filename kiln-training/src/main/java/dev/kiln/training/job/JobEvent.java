package dev.kiln.training.job;

/**
 * Something that happened to a job, as streamed to watchers (Server-Sent Events: {@code event: type}).
 *
 * @param type {@code state} (the whole job, on every state change), {@code step} ({@link Progress}), {@code epoch}
 *     ({@link dev.kiln.training.engine.EpochMetrics}) or {@code resumed} (the epoch it resumed at)
 */
public record JobEvent(long job, String type, Object data) {}
