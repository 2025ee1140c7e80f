// FastCDC content-defined chunking: a cut falls where a rolling gear hash of
// the last 32 bytes matches a mask, so an insert early in a dump moves the
// cut points near it and no others, and later chunks keep their names.
// Normalized chunking: a stricter mask before the average size and a looser
// one after it pulls chunk sizes towards the average.

export const MIN_CHUNK = 256 * 1024
export const AVG_CHUNK = 1024 * 1024
export const MAX_CHUNK = 4 * 1024 * 1024

// The top bits, because with `h << 1` bit k depends on the last k+1 bytes only:
// 22 bits (harder) before the average, 18 (easier) after it; 2^20 = AVG_CHUNK.
const MASK_SMALL = 0xfffffc00 | 0
const MASK_LARGE = 0xffffc000 | 0

/** Fixed forever: changing one entry renames every chunk ever stored. */
export const GEAR = gearTable()

function gearTable(): Int32Array {
  // mulberry32 with a fixed seed: deterministic without shipping 256 constants.
  const table = new Int32Array(256)
  let seed = 0x5ca1ab1e
  for (let i = 0; i < 256; i++) {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    table[i] = t ^ (t >>> 14)
  }
  return table
}

/** The gear hash where the last scan stopped without a cut, so the next piece continues it. */
let carried = 0

/**
 * Scans piece[from, to) of a chunk whose byte `piece[i]` sits at chunk offset
 * i + base, starting from hash h. The cut (an index into piece) or -1, with
 * the hash left in `carried`. Primitive arguments only: this loop is the
 * chunker's whole cost, and it must stay a tight loop for the JIT.
 */
function scan(piece: Uint8Array, from: number, to: number, h: number, base: number): number {
  const gear = GEAR
  let i = from
  const avg = AVG_CHUNK - base
  const normal = to < avg ? to : avg
  for (; i < normal; i++) {
    h = ((h << 1) + gear[piece[i]!]!) | 0
    if ((h & MASK_SMALL) === 0) return i + 1
  }
  for (; i < to; i++) {
    h = ((h << 1) + gear[piece[i]!]!) | 0
    if ((h & MASK_LARGE) === 0) return i + 1
  }
  carried = h
  return -1
}

/** One chunk's bytes as one array: the piece itself when it lies in one, else a copy. */
export function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!
  let size = 0
  for (const p of parts) size += p.length
  const out = Buffer.allocUnsafe(size) // every byte is written below
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export type Source = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>

/**
 * Cuts a byte stream into chunks of MIN_CHUNK..MAX_CHUNK bytes (the last may
 * be shorter), each handed out as the views of the source's pieces it spans,
 * not a copy: hashing a chunk needs no contiguous copy, and copying every
 * chunk into a fresh buffer cost more than the scan itself (join only what
 * must be one array, such as a chunk to compress). The source must not reuse
 * a piece's memory after handing it over, as file and pipe streams do not.
 * Holds at most MAX_CHUNK pending bytes plus the piece being read.
 */
export async function* chunkParts(source: Source): AsyncGenerator<Uint8Array[]> {
  let parts: Uint8Array[] = []
  let size = 0
  let hash = 0
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    let off = 0
    while (off < piece.length) {
      const take = Math.min(piece.length - off, MAX_CHUNK - size)
      const end = off + take
      // piece[i] is byte i + base of the chunk; nothing before MIN_CHUNK can end it.
      const base = size - off
      const from = Math.max(off, MIN_CHUNK - base)
      let cut = -1
      if (from < end) {
        cut = scan(piece, from, end, hash, base)
        if (cut < 0) hash = carried
      }
      if (cut < 0 && size + take === MAX_CHUNK) cut = end
      if (cut < 0) {
        parts.push(piece.subarray(off, end))
        size += take
        off = end
        continue
      }
      parts.push(piece.subarray(off, cut))
      yield parts
      parts = []
      size = 0
      hash = 0
      off = cut
    }
  }
  if (size) yield parts
}

/** chunkParts with each chunk as one array (a view of its piece when it lies in one). */
export async function* chunkStream(source: Source): AsyncGenerator<Uint8Array> {
  for await (const parts of chunkParts(source)) yield joined(parts)
}
