/** The core's error vocabulary, mapped by each protocol adapter to its own status codes and error shape. */
package dev.kiln.core.error;
