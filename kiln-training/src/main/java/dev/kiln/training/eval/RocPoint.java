package dev.kiln.training.eval;

/**
 * One point of a ROC curve.
 *
 * @param fpr false-positive rate: negatives scored at or above {@code threshold}, over all negatives
 * @param tpr true-positive rate: positives scored at or above {@code threshold}, over all positives
 * @param threshold the probability of the positive class at which this point's rows are called positive; the first
 *     point's is above every score (the highest score plus one), where nothing is
 */
public record RocPoint(double fpr, double tpr, double threshold) {}
