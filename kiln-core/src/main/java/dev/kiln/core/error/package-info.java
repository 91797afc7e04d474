/**
 * The core's error vocabulary: one exception, {@link dev.kiln.core.error.KilnException}, whose {@link
 * dev.kiln.core.error.ErrorKind} each protocol adapter maps through exactly one table to its own status codes and error
 * shape. Access refusals are KilnExceptions too, so they take the same path to the wire.
 */
package dev.kiln.core.error;
