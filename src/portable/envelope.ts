// The export file: one line of JSON header a person can read (what, when,
// how many rows, how the key is derived), then the body, gzipped and sealed
// with AES-256-GCM under a key scrypt derives from the passphrase. The header
// is the cipher's additional data: editing it breaks the seal too.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import pkg from '../../package.json'

export const FORMAT = 'serversctl-export'
export const VERSION = 1
export const MIN_PASSPHRASE = 12

/** A refusal the command explains in one line; exit code 2 for a usage mistake, 1 otherwise. */
export class PortableError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export const DAMAGED = 'wrong passphrase or damaged file'

// 2^16 takes 64 MiB and a fraction of a second: cheap once, dear for a guesser.
const KDF = { name: 'scrypt', N: 2 ** 16, r: 8, p: 1 } as const
// A crafted header must not make the import allocate without bound.
const KDF_LIMITS = { N: 2 ** 20, r: 32, p: 16 }

export type Header = {
  format: typeof FORMAT
  version: number
  createdAt: string
  serverVersion: string
  database: string
  tables: Record<string, number>
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string }
  cipher: { name: 'aes-256-gcm'; iv: string }
  compression: 'gzip'
}

function deriveKey(passphrase: string, kdf: Header['kdf']): Buffer {
  return scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, {
    N: kdf.N,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.N * kdf.r,
  })
}

export function sealExport(body: string, passphrase: string, about: { database: string; tables: Record<string, number> }, now = new Date()): Buffer {
  const header: Header = {
    format: FORMAT,
    version: VERSION,
    createdAt: now.toISOString(),
    serverVersion: pkg.version,
    database: about.database,
    tables: about.tables,
    kdf: { ...KDF, salt: randomBytes(16).toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: randomBytes(12).toString('base64') },
    compression: 'gzip',
  }
  const headerLine = Buffer.from(JSON.stringify(header) + '\n', 'utf8')
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, header.kdf), Buffer.from(header.cipher.iv, 'base64'))
  cipher.setAAD(headerLine)
  const sealed = Buffer.concat([cipher.update(gzipSync(Buffer.from(body, 'utf8'))), cipher.final(), cipher.getAuthTag()])
  return Buffer.concat([headerLine, sealed])
}

/** The header alone, read before asking for the passphrase: a file that is not an export fails at once. */
export function readHeader(file: Buffer, name: string): { header: Header; headerLine: Buffer; sealed: Buffer } {
  const end = file.indexOf(0x0a)
  let header: Header | null = null
  try {
    if (end > 0 && end < 1 << 20) header = JSON.parse(file.subarray(0, end).toString('utf8'))
  } catch {}
  if (!header || header.format !== FORMAT) throw new PortableError(`${name} is not a serversctl export (or its first line is damaged)`)
  if (header.version !== VERSION) {
    throw new PortableError(`${name} is export format version ${header.version}, made by serversctl ${header.serverVersion}; this serversctl (${pkg.version}) reads version ${VERSION}: import it with a serversctl at least as new`)
  }
  const { kdf, cipher } = header
  const sane =
    kdf?.name === 'scrypt' &&
    [kdf.N, kdf.r, kdf.p].every(Number.isInteger) &&
    kdf.N >= 2 && kdf.N <= KDF_LIMITS.N && (kdf.N & (kdf.N - 1)) === 0 &&
    kdf.r >= 1 && kdf.r <= KDF_LIMITS.r &&
    kdf.p >= 1 && kdf.p <= KDF_LIMITS.p &&
    cipher?.name === 'aes-256-gcm' && typeof cipher.iv === 'string' && typeof kdf.salt === 'string' &&
    header.compression === 'gzip'
  if (!sane) throw new PortableError(`${name}: ${DAMAGED} (its header names a key derivation or cipher this serversctl does not use)`)
  return { header, headerLine: file.subarray(0, end + 1), sealed: file.subarray(end + 1) }
}

export function openExport(parts: { header: Header; headerLine: Buffer; sealed: Buffer }, passphrase: string): string {
  const { header, headerLine, sealed } = parts
  if (sealed.length < 16) throw new PortableError(DAMAGED)
  try {
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, header.kdf), Buffer.from(header.cipher.iv, 'base64'))
    decipher.setAAD(headerLine)
    decipher.setAuthTag(sealed.subarray(sealed.length - 16))
    const zipped = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()])
    return gunzipSync(zipped).toString('utf8')
  } catch {
    throw new PortableError(DAMAGED)
  }
}

/** Written beside its final name and renamed over it: a reader never sees half a file. Mode 0600. */
export function writeAtomically(path: string, data: Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  let fd: number | null = null
  try {
    fd = openSync(tmp, 'wx', 0o600)
    for (let at = 0; at < data.length; ) at += writeSync(fd, data, at)
    fsyncSync(fd)
    closeSync(fd)
    fd = null
    renameSync(tmp, path)
  } catch (err) {
    if (fd !== null) closeSync(fd)
    try {
      unlinkSync(tmp)
    } catch {}
    throw new PortableError(`could not write ${path}: ${(err as Error).message}`)
  }
  // The rename itself survives a crash only once the directory is on disk.
  try {
    const dir = openSync(dirname(path), 'r')
    fsyncSync(dir)
    closeSync(dir)
  } catch {}
}

export function readExportFile(path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new PortableError(`could not read ${path}: ${(err as Error).message}`)
  }
}
