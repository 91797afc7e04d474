package dev.kiln.bench.train;

/** What both sides train with; identical by construction, since both read it from here. */
record Settings(int epochs, int batchSize, double learningRate, long seed) {}
