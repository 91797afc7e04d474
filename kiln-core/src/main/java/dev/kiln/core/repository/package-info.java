/**
 * The model repository on disk: {@code <root>/<model>/<version>/<model file>} plus an optional {@code
 * <root>/<model>/config.json}. Names coming from requests are checked against a strict grammar before any path is built
 * from them.
 */
package dev.kiln.core.repository;
