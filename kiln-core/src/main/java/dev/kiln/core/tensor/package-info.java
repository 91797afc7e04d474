/**
 * The one tensor type that flows from protocol adapters through the core to engines: a datatype, a shape and
 * little-endian row-major bytes (or length-delimited elements for BYTES).
 */
package dev.kiln.core.tensor;
