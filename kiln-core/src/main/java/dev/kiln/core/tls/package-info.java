/**
 * TLS for the listeners, kept free of any network library: {@link dev.kiln.core.tls.TlsSettings} names the PEM files
 * and the client-certificate policy, {@link dev.kiln.core.tls.TlsMaterial} is what they hold once read and checked.
 * Each protocol adapter turns the material into its own transport's SSL context, so both listeners accept exactly the
 * same files and fail on bad ones with the same messages.
 */
package dev.kiln.core.tls;
