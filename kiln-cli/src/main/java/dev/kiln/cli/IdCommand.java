package dev.kiln.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** A subcommand about one job or sweep, named by its id, on a server: {@code kiln jobs show 3}. */
abstract class IdCommand implements Callable<Integer> {
  @Mixin ClientOptions server;

  @Parameters(index = "0")
  long id;
}
