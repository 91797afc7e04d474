package dev.kiln.training.data;

import java.math.BigInteger;
import java.util.Comparator;

/** Orders class names so that numbers compare as numbers ("2" before "10"), and runs of digits inside names too. */
final class ClassOrder implements Comparator<String> {
  static final ClassOrder INSTANCE = new ClassOrder();

  private ClassOrder() {}

  @Override
  public int compare(String a, String b) {
    Double x = Numbers.parse(a);
    Double y = Numbers.parse(b);
    if (x != null && y != null) {
      int c = Double.compare(x, y);
      return c != 0 ? c : a.compareTo(b);
    }
    if (x != null || y != null) {
      return x != null ? -1 : 1;
    }
    return natural(a, b);
  }

  private static int natural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int ei = digitsEnd(a, i);
        int ej = digitsEnd(b, j);
        BigInteger na = new BigInteger(a.substring(i, ei));
        BigInteger nb = new BigInteger(b.substring(j, ej));
        int c = na.compareTo(nb);
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    int c = Integer.compare(a.length() - i, b.length() - j);
    return c != 0 ? c : a.compareTo(b);
  }

  private static int digitsEnd(String s, int from) {
    int k = from;
    while (k < s.length() && Character.isDigit(s.charAt(k))) {
      k++;
    }
    return k;
  }
}
