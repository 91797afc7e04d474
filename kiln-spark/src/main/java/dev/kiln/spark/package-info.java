/**
 * Batch scoring on Apache Spark. {@link dev.kiln.spark.KilnModelTransformer} (a Spark ML transformer) and {@link
 * dev.kiln.spark.KilnUdf} (a SQL function) score a DataFrame with a Kiln model version: the driver asks the registry
 * which file that version is (its SHA-256 and store key), each executor loads it once ({@code LoadedModels}), verifies
 * the checksum (and decrypts it when it comes straight from the encrypted artifact store), and runs it with ONNX
 * Runtime through the same engine the server uses, a batch of rows per call.
 */
package dev.kiln.spark;
