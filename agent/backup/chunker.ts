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

/**
 * The cut state of one chunk being scanned: where the scan stopped and the
 * hash there, so bytes arriving later continue the scan instead of redoing it.
 */
type Scan = { pos: number; hash: number }

/** The cut position within buf[0, len), or -1 when more bytes are needed to decide. */
function findCut(buf: Uint8Array, len: number, s: Scan, final: boolean): number {
  if (len <= MIN_CHUNK) return final ? len : -1
  const gear = GEAR
  let h = s.hash
  let i = s.pos < MIN_CHUNK ? MIN_CHUNK : s.pos
  const normal = len < AVG_CHUNK ? len : AVG_CHUNK
  for (; i < normal; i++) {
    h = ((h << 1) + gear[buf[i]!]!) | 0
    if ((h & MASK_SMALL) === 0) return i + 1
  }
  const end = len < MAX_CHUNK ? len : MAX_CHUNK
  for (; i < end; i++) {
    h = ((h << 1) + gear[buf[i]!]!) | 0
    if ((h & MASK_LARGE) === 0) return i + 1
  }
  if (len >= MAX_CHUNK) return MAX_CHUNK
  s.pos = i
  s.hash = h
  return final ? len : -1
}

export type Source = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>

/**
 * Cuts a byte stream into chunks of MIN_CHUNK..MAX_CHUNK bytes (the last may
 * be shorter). Holds at most MAX_CHUNK pending bytes plus the piece being
 * read; each chunk it yields is its own copy.
 */
export async function* chunkStream(source: Source): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(MAX_CHUNK)
  let len = 0
  let scan: Scan = { pos: 0, hash: 0 }
  const cuts = function* (final: boolean) {
    for (;;) {
      const cut = findCut(buf, len, scan, final)
      if (cut <= 0) return
      yield buf.slice(0, cut)
      buf.copyWithin(0, cut, len)
      len -= cut
      scan = { pos: 0, hash: 0 }
    }
  }
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    let off = 0
    while (off < piece.length) {
      const n = Math.min(piece.length - off, MAX_CHUNK - len)
      buf.set(piece.subarray(off, off + n), len)
      len += n
      off += n
      yield* cuts(false)
    }
  }
  yield* cuts(true)
}
