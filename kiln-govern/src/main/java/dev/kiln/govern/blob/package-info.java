/**
 * Where the artifact store's sealed files live: a {@link dev.kiln.govern.blob.BlobStore} publishes a finished local
 * file under a key atomically and hands it back for reading, on a local folder ({@link
 * dev.kiln.govern.blob.FolderBlobs}) or any S3-compatible service ({@link dev.kiln.govern.blob.S3Blobs}); {@link
 * dev.kiln.govern.blob.StoreLocation} says which. Nothing here encrypts or checks bytes: that is {@code
 * dev.kiln.govern.crypto.ArtifactStore}, above this layer.
 */
package dev.kiln.govern.blob;
