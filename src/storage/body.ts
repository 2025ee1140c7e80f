// Reading a body once: counting, hashing and enforcing the size limit on the
// bytes as they pass, whichever backend they go to.
import { createHash, type Hash } from 'node:crypto'
import { StorageError, type Body, type PutOptions } from './types'

export async function* chunksOf(body: Body): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body
    return
  }
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      if (value.byteLength) yield value
    }
  } finally {
    reader.releaseLock()
  }
}

/** Counts and hashes what passes; throws once more than maxBytes went by. */
export class Meter {
  size = 0
  private hash: Hash = createHash('sha256')
  constructor(private opts: PutOptions = {}) {}

  take(chunk: Uint8Array) {
    this.size += chunk.byteLength
    if (this.opts.maxBytes !== undefined && this.size > this.opts.maxBytes) {
      throw new StorageError('too_large', `The object is larger than the ${this.opts.maxBytes} bytes allowed`)
    }
    this.hash.update(chunk)
  }

  /** The hex digest, checked against the expected one if there was one. */
  finish(): string {
    const sha256 = this.hash.digest('hex')
    const expected = this.opts.sha256?.toLowerCase()
    if (expected && expected !== sha256) {
      throw new StorageError('checksum_mismatch', `The bytes received have SHA-256 ${sha256}, not the ${expected} announced: nothing was stored`)
    }
    if (this.opts.size !== undefined && this.opts.size !== this.size) {
      throw new StorageError('checksum_mismatch', `${this.size} bytes arrived, not the ${this.opts.size} announced: nothing was stored`)
    }
    return sha256
  }
}
