package dev.kiln.govern.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyTokensTest {
  static final String ID = "abcdefghij27";
  static final String SECRET = "AZaz09_-AZaz09_-AZaz09_-AZaz09_-AZaz09_-xyz";

  @Test
  void aNewTokenParsesBackIntoItsParts() {
    String id = KeyTokens.newId();
    String secret = KeyTokens.newSecret();
    assertThat(KeyTokens.parse(KeyTokens.token(id, secret))).contains(new KeyTokens.Parts(id, secret));
    assertThat(KeyTokens.parse("kiln_" + ID + "_" + SECRET)).contains(new KeyTokens.Parts(ID, SECRET));
  }

  @Test
  void anythingElseIsMalformed() {
    assertThat(KeyTokens.parse(null)).isEmpty();
    assertThat(KeyTokens.parse("")).isEmpty();
    assertThat(KeyTokens.parse("kiln_" + ID + "_" + SECRET + "x")).as("too long").isEmpty();
    assertThat(KeyTokens.parse("kiln_" + ID + "_" + SECRET.substring(1))).as("too short").isEmpty();
    assertThat(KeyTokens.parse("kilN_" + ID + "_" + SECRET)).as("prefix").isEmpty();
    assertThat(KeyTokens.parse("kiln_" + ID + "-" + SECRET)).as("separator").isEmpty();
    assertThat(KeyTokens.parse("kiln_abcdefghij18_" + SECRET)).as("id outside base32").isEmpty();
    assertThat(KeyTokens.parse("kiln_Abcdefghij27_" + SECRET)).as("upper-case id").isEmpty();
    assertThat(KeyTokens.parse("kiln_" + ID + "_" + SECRET.replace('x', '+'))).as("secret outside base64url").isEmpty();
    assertThat(KeyTokens.parse("kiln_" + ID + "_" + SECRET.replace('x', 'é'))).as("non-ASCII").isEmpty();
  }

  @Test
  void aSecretMatchesOnlyItsOwnHash() {
    String hash = KeyTokens.hash(SECRET);
    assertThat(KeyTokens.matches(SECRET, hash)).isTrue();
    assertThat(KeyTokens.matches(SECRET.replace('x', 'y'), hash)).isFalse();
  }
}
