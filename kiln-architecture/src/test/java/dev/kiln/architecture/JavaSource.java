package dev.kiln.architecture;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Java source file for the source rules: its code with comments and literals blanked, its header
 * comment, and the fully qualified names written inline. The same reading as {@code bin/fqn-imports}, which rewrites
 * what {@link #inlineNames} finds.
 */
record JavaSource(String text, String code, String pkg) {

  private static final Pattern FQN =
      Pattern.compile(
          "(?<![\\w.$])((?:java|javax|jdk|com|org|io|dev|ai|de|info|net|sun|picocli)(?:\\.[a-z_][a-z0-9_]*)+)"
              + "\\.([A-Z][A-Za-z0-9_]*)\\b");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+([\\w.]+)\\s*;");
  private static final Pattern DECLARED = Pattern.compile("\\b(?:class|interface|enum|record)\\s+([A-Z]\\w*)");
  private static final Pattern PACKAGE_OR_IMPORT = Pattern.compile("(?m)^[ \\t]*(?:package|import)\\b[^;\\n]*;");
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile(
          "(?m)^(?:public |protected |private |abstract |final |sealed |non-sealed |static |strictfp )*"
              + "(?:class|interface|enum|record|@interface) ");
  private static final Pattern SIZE_REASON = Pattern.compile("(?m)^\\s*(?:/\\*\\*?|\\*|//)?\\s*Size:\\s*\\S");

  static JavaSource of(String text) {
    Matcher p = PACKAGE.matcher(text);
    return new JavaSource(text, codeOnly(text), p.find() ? p.group(1) : "");
  }

  int lines() {
    return (int) text.lines().count();
  }

  /** Whether the comments before the first type declaration have a line starting with {@code Size:}. */
  boolean hasSizeReason() {
    Matcher type = TYPE_DECLARATION.matcher(text);
    String header = type.find() ? text.substring(0, type.start()) : text;
    return SIZE_REASON.matcher(header).find();
  }

  /**
   * Fully qualified type names written in code, as "line: name". A name whose simple name already means another type in
   * this file (an import, a declared type, a class of the same package, java.lang) has to stay qualified, as Java has
   * no import aliases, and is not reported.
   */
  List<String> inlineNames(Set<String> samePackageClasses) {
    Map<String, String> taken = new HashMap<>();
    Matcher imports = IMPORT.matcher(text);
    while (imports.find()) {
      String name = imports.group(1);
      taken.put(name.substring(name.lastIndexOf('.') + 1), name);
    }
    Matcher declared = DECLARED.matcher(code);
    while (declared.find()) {
      taken.putIfAbsent(declared.group(1), pkg + "." + declared.group(1));
    }
    samePackageClasses.forEach(c -> taken.putIfAbsent(c, pkg + "." + c));
    List<String> found = new ArrayList<>();
    Matcher fqn = FQN.matcher(code);
    while (fqn.find()) {
      String name = fqn.group(1) + "." + fqn.group(2);
      String simple = fqn.group(2);
      taken.putIfAbsent(simple, javaLang(simple) && !name.equals("java.lang." + simple) ? "java.lang." + simple : name);
      if (taken.get(simple).equals(name)) {
        found.add(lineOf(fqn.start()) + ": " + name);
      }
    }
    return found;
  }

  private int lineOf(int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static boolean javaLang(String simple) {
    try {
      Class.forName("java.lang." + simple, false, JavaSource.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The text with comments, strings, text blocks and character literals blanked; offsets and newlines kept. */
  static String codeOnly(String src) {
    char[] out = src.toCharArray();
    int n = src.length();
    int i = 0;
    while (i < n) {
      int end;
      if (src.startsWith("//", i)) {
        end = src.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (src.startsWith("/*", i)) {
        end = src.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (src.startsWith("\"\"\"", i)) {
        end = i + 3;
        while (end < n && !src.startsWith("\"\"\"", end)) {
          end += src.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 3);
      } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
        char quote = src.charAt(i);
        end = i + 1;
        while (end < n && src.charAt(end) != quote && src.charAt(end) != '\n') {
          end += src.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(n, end + 1);
      } else {
        i++;
        continue;
      }
      for (int k = i; k < end; k++) {
        if (out[k] != '\n') {
          out[k] = ' ';
        }
      }
      i = end;
    }
    Matcher lines = PACKAGE_OR_IMPORT.matcher(new String(out));
    while (lines.find()) {
      for (int k = lines.start(); k < lines.end(); k++) {
        out[k] = ' ';
      }
    }
    return new String(out);
  }
}
