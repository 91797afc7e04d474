/** The {@code kiln} command line: {@code serve}, {@code demo}. */
package dev.kiln.cli;
