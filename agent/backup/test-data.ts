// Deterministic pseudo-random bytes for tests and measurements: incompressible
// like encrypted or media files, and the same on every run.
export function pseudoRandom(bytes: number, seed = 1): Uint8Array {
  const words = new Uint32Array(Math.ceil(bytes / 4))
  let x = seed | 0 || 1
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    words[i] = x
  }
  return new Uint8Array(words.buffer, 0, bytes)
}

/** The bytes in pieces of `size`, as a pipe would hand them over. */
export async function* inPieces(data: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < data.length; off += size) yield data.subarray(off, off + size)
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const piece of source) out.push(piece)
  return out
}

export const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))
