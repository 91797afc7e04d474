package dev.kiln.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code kiln} launcher. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = dev.kiln.server.Kiln.VERSION,
    description = "AI models as a service: serve models over Open Inference Protocol REST and gRPC.",
    subcommands = {ServeCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .registerConverter(java.time.Duration.class, Durations::parse)
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
