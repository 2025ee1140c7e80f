// One interface for where backup chunks live, whatever holds them: a folder
// under DATA_DIR or an S3-compatible bucket. Agents never hold storage
// credentials; they get a presigned URL for one object and one method.

export type Body = ReadableStream<Uint8Array> | Uint8Array

export type PutOptions = {
  /** Refuse (and store nothing) once more bytes than this arrive. */
  maxBytes?: number
  /** The SHA-256 (hex) the bytes must have, or nothing is stored. */
  sha256?: string
  /** The exact length, when the caller knows it: S3 then streams instead of buffering. */
  size?: number
}

export type Presigned = { url: string; expiresAt: Date }

export type Listed = { key: string; size: number }

export type ObjectStore = {
  kind: 'folder' | 's3'
  put(key: string, body: Body, opts?: PutOptions): Promise<{ size: number; sha256: string }>
  /** null when there is no such object. */
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>
  head(key: string): Promise<{ size: number } | null>
  /** Deleting a missing object is not an error. */
  delete(key: string): Promise<void>
  /**
   * Every object whose key starts with `prefix`, once, fetched a page at a time.
   * The folder lists in key order, as S3 does; s3rver and some other stores do not, so callers must not rely on it.
   */
  list(prefix?: string): AsyncIterable<Listed>
  stats(): Promise<{ objects: number; bytes: number }>
  presignPut(key: string, opts: { expiresIn: number; contentLength?: number }): Promise<Presigned>
  presignGet(key: string, opts: { expiresIn: number }): Promise<Presigned>
}

export type StorageErrorCode = 'bad_key' | 'too_large' | 'checksum_mismatch' | 'conflict' | 'unavailable'

/** A refusal or failure of the store, worded for the person who reads it. */
export class StorageError extends Error {
  constructor(
    public code: StorageErrorCode,
    message: string,
  ) {
    super(message)
  }
}
