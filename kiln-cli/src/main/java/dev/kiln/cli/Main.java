package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import dev.kiln.core.tls.TlsFileException;
import dev.kiln.server.Kiln;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code kiln} launcher. */
@Command(
    name = "kiln",
    mixinStandardHelpOptions = true,
    version = Kiln.VERSION,
    description = "AI models as a service: train models and serve them over Open Inference Protocol REST and gRPC.")
public final class Main implements Runnable {
  /** The subcommands, in the order the usage lists them. */
  private static final List<Class<?>> COMMANDS =
      List.of(
          ServeCommand.class,
          DemoCommand.class,
          DatasetsCommand.class,
          TrainCommand.class,
          JobsCommand.class,
          SweepCommand.class,
          DeployCommand.class,
          KeysCommand.class,
          ModelsCommand.class,
          PredictCommand.class,
          ScoringCommand.class,
          UsageCommand.class,
          AuditCommand.class,
          MasterKeyCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    LibraryLogging.quiet();
    System.exit(commandLine(args).execute(args));
  }

  /** Every command. */
  static CommandLine commandLine() {
    return commandLine(COMMANDS);
  }

  /**
   * The command line for these arguments: only the command they name when they name one (not {@code help}), else every
   * command. Picocli reads each command's options, mixins and nested commands by reflection as it is added, which was a
   * third of {@code kiln serve}'s start-up; the usage, {@code help} and a mistyped command still see them all.
   */
  static CommandLine commandLine(String... args) {
    for (Class<?> c : COMMANDS) {
      String name = c.getAnnotation(Command.class).name();
      if (args.length > 0 && args[0].equals(name) && !name.equals("help")) {
        return commandLine(List.of(c));
      }
    }
    return commandLine();
  }

  private static CommandLine commandLine(List<Class<?>> commands) {
    CommandLine cli = new CommandLine(new Main());
    commands.forEach(cli::addSubcommand);
    withHelp(cli);
    return cli.registerConverter(Duration.class, Durations::parse)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          // Errors written for users (a refused call, a missing or unusable file, a bad key file) are one line;
          // anything else is a bug and keeps its stack trace.
          Optional<String> startup = StartupErrors.line(e);
          if (startup.isPresent()) {
            cmd.getErr().println("kiln: " + startup.get());
            return 2;
          }
          if (e instanceof KilnClient.CallFailed
              || e instanceof NoSuchFileException
              || e instanceof TlsFileException
              || e instanceof KilnException
              || (e instanceof IllegalArgumentException && cmd.getCommandName().matches("new|rotate|rewrap|serve"))) {
            cmd.getErr()
                .println("kiln: " + (e instanceof NoSuchFileException ? "no such file: " : "") + e.getMessage());
            return 2;
          }
          throw e;
        });
  }

  /**
   * Gives every command and subcommand {@code --help} (and {@code --version}). Picocli answers help before it checks
   * required options, so {@code kiln train --help} shows the usage rather than the missing options.
   */
  private static void withHelp(CommandLine cli) {
    cli.getCommandSpec().mixinStandardHelpOptions(true);
    cli.getSubcommands().values().forEach(Main::withHelp);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
