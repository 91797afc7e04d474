package dev.kiln.core.llm;

/** One message of a conversation: {@code system}, {@code user} or {@code assistant}. */
public record ChatMessage(String role, String content) {}
