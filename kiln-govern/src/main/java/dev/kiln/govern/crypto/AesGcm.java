package dev.kiln.govern.crypto;

import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-GCM operations of {@link ArtifactCipher}, on the JDK's provider: sealing and opening one chunk with its nonce
 * and index in the AAD, and wrapping or unwrapping a data key with the header before the wrapped key as AAD.
 */
final class AesGcm {
  static final int TAG_BITS = 128;

  private AesGcm() {}

  /** The data key sealed under {@code master}, authenticated with {@code unsigned}'s header as AAD. */
  static byte[] wrapKey(SecretKey master, ArtifactHeader unsigned, SecretKey dataKey) {
    try {
      Cipher c = cipher();
      c.init(Cipher.ENCRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, unsigned.wrapNonce()));
      c.updateAAD(unsigned.encode(), 0, ArtifactHeader.WRAP_AAD);
      return c.doFinal(dataKey.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM key wrap failed", e);
    }
  }

  /** The data key of {@code h}, unwrapped with {@code master}; a failed tag means a changed header or key. */
  static SecretKey unwrapKey(SecretKey master, ArtifactHeader h, String name) {
    try {
      Cipher c = cipher();
      c.init(Cipher.DECRYPT_MODE, master, new GCMParameterSpec(TAG_BITS, h.wrapNonce()));
      c.updateAAD(h.encode(), 0, ArtifactHeader.WRAP_AAD);
      return new SecretKeySpec(c.doFinal(h.wrappedKey()), "AES");
    } catch (AEADBadTagException e) {
      throw ArtifactHeader.corrupted(name, "its header or data key failed authentication");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM key unwrap failed", e);
    }
  }

  static int seal(
      Cipher c, int mode, SecretKey key, ArtifactHeader h, long index, byte[] in, int len, byte[] out, int outOffset) {
    try {
      c.init(mode, key, new GCMParameterSpec(TAG_BITS, h.chunkNonce(index)));
      c.updateAAD(h.chunkAad(index));
      return c.doFinal(in, 0, len, out, outOffset);
    } catch (AEADBadTagException e) {
      throw new ArtifactIntegrityException("chunk " + index + " failed authentication", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  static Cipher cipher() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is missing from this JDK", e);
    }
  }
}
