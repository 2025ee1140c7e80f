// The default store: one file per object under DATA_DIR/objects/, written to
// a temporary file, synced and renamed, so a crash leaves either the whole
// object or none. Presigned links point at the server's own /storage/o/.
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { close, createReadStream, fstat, open as openFd } from 'node:fs'
import { promisify } from 'node:util'
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { dirname, join } from 'node:path'
import { checkKey, checkPrefix } from './keys'
import { chunksOf, Meter } from './body'
import { checkLink, signedUrl, type LinkCheck, type SignedAccess } from './signed-url'
import { StorageError, type Listed, type ObjectStore } from './types'

/** Half-written uploads; its leading dot keeps it out of every key's reach. */
const TMP = '.tmp'
/** What an upload link allows when the caller names no length: one chunk's worth. */
export const DEFAULT_LINK_MAX_BYTES = 16 * 1024 * 1024

export type FolderOptions = {
  root: string
  linkKey: Buffer
  /** Read at signing time: the public address is known only once the server listens. */
  publicUrl: () => string
  now?: () => number
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === 'ENOENT'

function fsError(err: unknown, key: string): never {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
    throw new StorageError('conflict', `Object key "${key}" clashes with another key that uses it as a folder, or as a file`)
  }
  throw err
}

async function syncDir(path: string) {
  const dir = await open(path, 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

export type FolderStore = ObjectStore & {
  kind: 'folder'
  /** Whether a request to /storage/o/<key> carries a link this store signed, still valid. */
  checkLink(method: string, key: string, query: Record<string, string | undefined>): LinkCheck
}

export function folderStore(opts: FolderOptions): FolderStore {
  const now = opts.now ?? Date.now
  const pathOf = (key: string) => join(opts.root, ...checkKey(key))

  async function writeTemp(body: Parameters<ObjectStore['put']>[1], meter: Meter): Promise<string> {
    const tmpDir = join(opts.root, TMP)
    await mkdir(tmpDir, { recursive: true, mode: 0o700 })
    const tmp = join(tmpDir, randomBytes(12).toString('hex'))
    const file = await open(tmp, 'wx', 0o600)
    try {
      for await (const chunk of chunksOf(body)) {
        meter.take(chunk)
        await file.write(chunk)
      }
      await file.sync()
    } catch (err) {
      await file.close()
      await unlink(tmp).catch(() => {})
      throw err
    }
    await file.close()
    return tmp
  }

  async function* walk(dir: string, prefix: string): AsyncGenerator<Listed> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return
      throw err
    }
    // A folder sorts as its name plus "/", so keys come out in plain key order, as S3 lists them.
    const named = entries
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isFile()))
      .map((e) => ({ e, sortAs: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => (a.sortAs < b.sortAs ? -1 : a.sortAs > b.sortAs ? 1 : 0))
    for (const { e } of named) {
      const key = prefix + e.name
      if (e.isDirectory()) yield* walk(join(dir, e.name), `${key}/`)
      else yield { key, size: (await stat(join(dir, e.name))).size }
    }
  }

  function sign(a: SignedAccess) {
    return { url: signedUrl(opts.publicUrl(), opts.linkKey, a), expiresAt: new Date(a.expires * 1000) }
  }
  const expiry = (seconds: number) => Math.floor(now() / 1000) + Math.max(1, Math.floor(seconds))

  return {
    kind: 'folder',
    checkLink: (method, key, query) => checkLink(opts.linkKey, method, key, query, now()),
    async put(key, body, putOpts) {
      const path = pathOf(key)
      const meter = new Meter(putOpts)
      const tmp = await writeTemp(body, meter)
      try {
        const sha256 = meter.finish()
        await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((err) => fsError(err, key))
        await rename(tmp, path).catch((err) => fsError(err, key))
        await syncDir(dirname(path))
        return { size: meter.size, sha256 }
      } finally {
        await unlink(tmp).catch(() => {})
      }
    },
    async get(key) {
      const path = pathOf(key)
      try {
        // One descriptor for the size and the bytes: a rename in between cannot mix two objects.
        const fd = await promisify(openFd)(path, 'r')
        const info = await promisify(fstat)(fd).catch((err) => {
          close(fd)
          throw err
        })
        if (!info.isFile()) {
          close(fd)
          return null
        }
        const stream = createReadStream('', { fd, autoClose: true })
        return { body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, size: info.size }
      } catch (err) {
        if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR' || (err as NodeJS.ErrnoException).code === 'EISDIR') return null
        throw err
      }
    },
    async head(key) {
      try {
        const s = await stat(pathOf(key))
        return s.isFile() ? { size: s.size } : null
      } catch (err) {
        if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null
        throw err
      }
    },
    async delete(key) {
      const path = pathOf(key)
      try {
        await unlink(path)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (isMissing(err) || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM') return
        throw err
      }
      await syncDir(dirname(path))
    },
    async *list(prefix = '') {
      checkPrefix(prefix)
      // Start in the deepest folder the prefix names whole, then filter the rest.
      const cut = prefix.lastIndexOf('/') + 1
      const base = prefix.slice(0, cut)
      for await (const item of walk(join(opts.root, ...base.split('/').filter(Boolean)), base)) {
        if (item.key.startsWith(prefix)) yield item
      }
    },
    async stats() {
      let objects = 0
      let bytes = 0
      for await (const item of walk(opts.root, '')) {
        objects++
        bytes += item.size
      }
      return { objects, bytes }
    },
    async presignPut(key, { expiresIn, contentLength }) {
      checkKey(key)
      return sign({ method: 'PUT', key, expires: expiry(expiresIn), maxBytes: contentLength ?? DEFAULT_LINK_MAX_BYTES })
    },
    async presignGet(key, { expiresIn }) {
      checkKey(key)
      return sign({ method: 'GET', key, expires: expiry(expiresIn), maxBytes: 0 })
    },
  }
}
