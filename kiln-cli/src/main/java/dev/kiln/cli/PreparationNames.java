package dev.kiln.cli;

import dev.kiln.core.error.KilnException;
import dev.kiln.training.job.Preparation;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Checks {@code --scaling}, {@code --missing} and {@code --tokenizer} against the names the server accepts before
 * anything is sent, so a typo is answered at once with the allowed values (the server would refuse it the same way).
 */
final class PreparationNames {
  private PreparationNames() {}

  static final class Scaling implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return checked(() -> Preparation.scaling(value), value);
    }
  }

  static final class Missing implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return checked(() -> Preparation.missing(value), value);
    }
  }

  static final class Tokenizer implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      return checked(() -> Preparation.tokenizer(value), value);
    }
  }

  private static String checked(Runnable check, String value) {
    try {
      check.run();
      return value;
    } catch (KilnException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
