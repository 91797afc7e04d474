package dev.kiln.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * Every Kiln main class on this module's class path (it depends on all modules), imported once for all rules. Jars are
 * not excluded: after {@code package} the reactor hands this module jars instead of class folders.
 */
final class KilnClasses {

  static final JavaClasses MAIN =
      new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests()).importPackages("dev.kiln");

  private KilnClasses() {}
}
