// A generated cPanel account home of a chosen size, shaped like a real one,
// for the replication tests and `bun run bench:replicate`: many small site
// files (text), site images and MB-sized media that do not compress (random
// bytes, as JPEG and MP4 are), a Maildir of text messages and a MySQL dump.
// Text is cut from a pool of pseudo-words with a unique number in every
// piece, so it compresses about as real text does and no two files (or
// two 1 MiB stretches of one file) are the same bytes by accident.
import { randomBytes } from 'node:crypto'
import { chownSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Shares of the home's bytes by kind; what is left after the others goes to the dump. */
const SHARES = { site: 0.15, images: 0.1, media: 0.35, mail: 0.2 }

/** A small seeded generator: the same seed makes the same tree shape. */
function prng(seed: number) {
  let s = (Math.imul(seed, 0x9e3779b1) ^ 0xdeadbeef) >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
  // The first outputs of a small seed are small: let it mix first.
  for (let i = 0; i < 16; i++) next()
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), logUniform: (lo: number, hi: number) => Math.round(lo * (hi / lo) ** next()) }
}

const WORDS = (() => {
  const r = prng(7)
  const letters = 'etaoinshrdlucmfwypvbgkqjxz'
  return Array.from({ length: 3000 }, () => Array.from({ length: r.int(2, 10) }, () => letters[Math.floor(r.next() ** 1.6 * letters.length)]).join(''))
})()

/** About 1 MiB of words and punctuation to cut text from. */
const POOL = (() => {
  const r = prng(11)
  const parts: string[] = []
  let n = 0
  while (n < 1 << 20) {
    const w = WORDS[Math.floor(r.next() ** 2 * WORDS.length)]!
    const sep = r.next() < 0.08 ? '.\n' : r.next() < 0.1 ? ', ' : ' '
    parts.push(w, sep)
    n += w.length + sep.length
  }
  return parts.join('')
})()

let serial = 0

/** `bytes` of text: pool pieces of 80 to 600 bytes, each after a number no other piece has. */
export function textOf(bytes: number, rnd: () => number = Math.random): Buffer {
  const parts: string[] = []
  let n = 0
  while (n < bytes) {
    const len = 80 + Math.floor(rnd() * 520)
    const at = Math.floor(rnd() * (POOL.length - len))
    const piece = `${(++serial).toString(36)} ${POOL.slice(at, at + len)}`
    parts.push(piece)
    n += piece.length
  }
  return Buffer.from(parts.join('')).subarray(0, bytes)
}

function writeFile(path: string, data: Uint8Array): void {
  const fd = openSync(path, 'w', 0o644)
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off)
  } finally {
    closeSync(fd)
  }
}

/** Incompressible bytes in pieces, so an 8 MiB file never needs one 8 MiB buffer twice. */
function writeRandom(path: string, bytes: number): void {
  const fd = openSync(path, 'w', 0o644)
  try {
    for (let left = bytes; left > 0; ) {
      const piece = randomBytes(Math.min(left, 1 << 20))
      for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off)
      left -= piece.length
    }
  } finally {
    closeSync(fd)
  }
}

function writeText(path: string, bytes: number, r: ReturnType<typeof prng>): void {
  const fd = openSync(path, 'w', 0o644)
  try {
    for (let left = bytes; left > 0; ) {
      const piece = textOf(Math.min(left, 1 << 20), r.next)
      for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off)
      left -= piece.length
    }
  } finally {
    closeSync(fd)
  }
}

/** Files in folders of about `perDir`, under `base/<name>NN/`. */
function spread(base: string, name: string, perDir: number) {
  let i = 0
  return (file: string) => {
    const dir = join(base, `${name}${String(Math.floor(i++ / perDir)).padStart(2, '0')}`)
    mkdirSync(dir, { recursive: true })
    return join(dir, file)
  }
}

export type GeneratedHome = { bytes: number; files: number }

/**
 * Fills `home` (made if missing) with about `bytes` of account data:
 * public_html (site files and images), media/, mail/<domain>/info/cur and
 * sql/<user>_wp.sql. Files are owned by `uid` when given (and we are root).
 */
export function generateAccountHome(home: string, bytes: number, opts: { seed?: number; domain?: string; user?: string; uid?: number } = {}): GeneratedHome {
  const r = prng(opts.seed ?? 1)
  const user = opts.user ?? 'shop'
  const domain = opts.domain ?? 'shop.example.com'
  let files = 0
  let written = 0
  const put = (path: string, size: number, kind: 'text' | 'random') => {
    if (kind === 'text') writeText(path, size, r)
    else writeRandom(path, size)
    files++
    written += size
  }

  const site = spread(join(home, 'public_html/wp-content/plugins'), 'plugin', 60)
  for (let left = bytes * SHARES.site; left > 0; ) {
    const size = r.logUniform(600, 40_000)
    put(site(`file${files}.${['php', 'js', 'css', 'html'][files % 4]}`), size, 'text')
    left -= size
  }
  const images = spread(join(home, 'public_html/wp-content/uploads/2026'), 'm', 80)
  for (let left = bytes * SHARES.images; left > 0; ) {
    const size = r.logUniform(20_000, 600_000)
    put(images(`img${files}.jpg`), size, 'random')
    left -= size
  }
  const media = spread(join(home, 'media'), 'set', 40)
  for (let left = bytes * SHARES.media; left > 0; ) {
    const size = r.logUniform(1 << 20, 8 << 20)
    put(media(`clip${files}.mp4`), size, 'random')
    left -= size
  }
  const mailDir = join(home, 'mail', domain, 'info/cur')
  mkdirSync(mailDir, { recursive: true })
  for (let left = bytes * SHARES.mail; left > 0; ) {
    const size = r.logUniform(1_500, 60_000)
    const head = Buffer.from(`Return-Path: <sender${files}@example.net>\nFrom: Sender ${files} <sender${files}@example.net>\nTo: info@${domain}\nSubject: order ${files}\nMessage-ID: <${files}.${user}@${domain}>\n\n`)
    const path = join(mailDir, `${1_700_000_000 + files}.M${files}P1.${domain},S=${size}:2,S`)
    writeFile(path, Buffer.concat([head, textOf(Math.max(0, size - head.length), r.next)]))
    files++
    written += Math.max(size, head.length)
    left -= size
  }
  mkdirSync(join(home, 'sql'), { recursive: true })
  const dump = Math.max(0, bytes - written)
  if (dump > 0) put(join(home, 'sql', `${user}_wp.sql`), dump, 'text')

  if (opts.uid !== undefined && process.getuid?.() === 0) chownAll(home, opts.uid)
  return { bytes: written, files }
}

function chownAll(path: string, id: number): void {
  chownSync(path, id, id)
  if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) chownAll(join(path, name), id)
}

function listFiles(dir: string, out: { path: string; size: number }[] = []): { path: string; size: number }[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const st = lstatSync(path)
    if (st.isDirectory()) listFiles(path, out)
    else if (st.isFile()) out.push({ path, size: st.size })
  }
  return out
}

/**
 * Rewrites a few files in place (same size, new bytes of the same kind)
 * until about `fraction` of the home's bytes changed, as an edited page, a
 * re-encoded clip and the database do. Only files of 64 KiB and more, so it
 * is a few files and not a scatter. Answers the files and bytes rewritten.
 */
export function changeAccountHome(home: string, fraction: number, seed = 2): { files: string[]; bytes: number } {
  const r = prng(seed)
  const all = listFiles(home)
  let budget = Math.round(all.reduce((n, f) => n + f.size, 0) * fraction)
  const candidates = all.filter((f) => f.size >= 64 << 10)
  // A seeded shuffle: the same home and seed change the same files.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1))
    ;[candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!]
  }
  const changed: string[] = []
  let bytes = 0
  for (const f of candidates) {
    if (budget <= 0) break
    if (f.size > budget) continue
    // Opened for writing, not replaced: the file keeps its owner and mode.
    if (/\.(jpg|mp4)$/.test(f.path)) writeRandom(f.path, f.size)
    else writeText(f.path, f.size, r)
    changed.push(f.path)
    bytes += f.size
    budget -= f.size
  }
  return { files: changed, bytes }
}
