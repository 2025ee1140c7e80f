// The folder store's own upload and download endpoints, for agents holding a
// link the server signed (there is no S3 to presign against). No session and
// no token: the link is the authority, for one method, one key, until it expires.
import { Elysia } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { errorBody, HttpError, notFound } from '../http/errors'
import { MAX_STORAGE_BODY_BYTES } from '../server/body-limit'
import { checkKey } from './keys'
import { OBJECT_PATH } from './signed-url'
import { StorageError } from './types'
import type { FolderStore } from './folder'


type Ctx = { request: Request; params: Record<string, string>; query: Record<string, string | undefined>; set: { status?: number | string; headers: Record<string, string | number> } }

const STATUS: Record<StorageError['code'], number> = { bad_key: 400, too_large: 413, checksum_mismatch: 400, conflict: 409, unavailable: 503 }

function folder(deps: Deps): FolderStore {
  if (deps.storage.kind !== 'folder') throw notFound('Object')
  return deps.storage as FolderStore
}

/** The key and the bytes the link allows, or the refusal; checked before anything is read or written. */
function authorise(store: FolderStore, ctx: Ctx) {
  const key = decodeURIComponent(new URL(ctx.request.url).pathname.slice(OBJECT_PATH.length))
  try {
    checkKey(key)
  } catch (err) {
    throw new HttpError(400, 'bad_key', (err as Error).message)
  }
  const link = store.checkLink(ctx.request.method, key, ctx.query)
  if (!link.ok) throw new HttpError(403, 'bad_link', link.reason)
  return { key, maxBytes: Math.min(link.maxBytes, MAX_STORAGE_BODY_BYTES) }
}

/** `x-amz-checksum-sha256` is base64, as S3 takes it; hex is accepted too. */
function announcedSha256(request: Request): string | undefined {
  const raw = request.headers.get('x-amz-checksum-sha256')?.trim()
  if (!raw) return undefined
  if (/^[0-9a-fA-F]{64}$/.test(raw)) return raw.toLowerCase()
  const bytes = Buffer.from(raw, 'base64')
  if (bytes.length !== 32) throw new HttpError(400, 'bad_checksum', 'x-amz-checksum-sha256 must be a SHA-256 digest in base64 (or hex)')
  return bytes.toString('hex')
}

async function receiveObject(deps: Deps, ctx: Ctx) {
  const store = folder(deps)
  const { key, maxBytes } = authorise(store, ctx)
  const declared = ctx.request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) {
    throw new HttpError(413, 'too_large', `This link allows at most ${maxBytes} bytes`)
  }
  try {
    const stored = await store.put(key, ctx.request.body ?? new Uint8Array(), { maxBytes, sha256: announcedSha256(ctx.request) })
    ctx.set.headers['x-amz-checksum-sha256'] = Buffer.from(stored.sha256, 'hex').toString('base64')
    return { key, size: stored.size, sha256: stored.sha256 }
  } catch (err) {
    if (err instanceof StorageError) throw new HttpError(STATUS[err.code], err.code, err.message)
    throw err
  }
}

async function sendObject(deps: Deps, ctx: Ctx) {
  const store = folder(deps)
  const { key } = authorise(store, ctx)
  const found = await store.get(key)
  if (!found) throw notFound('Object')
  return new Response(found.body, {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(found.size), 'cache-control': 'no-store' },
  })
}

/** Agents read JSON refusals whatever they accept; pages are for people. */
const asJson = (handler: (deps: Deps, ctx: Ctx) => Promise<unknown>) => async (deps: Deps, ctx: Ctx) => {
  try {
    return await handler(deps, ctx)
  } catch (err) {
    if (!(err instanceof HttpError)) throw err
    return Response.json(errorBody(err.code, err.message), { status: err.status })
  }
}

const receive = asJson(receiveObject)
const send = asJson(sendObject)

export function objectRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .put(`${OBJECT_PATH}*`, (ctx) => receive(deps, ctx as unknown as Ctx), { access: 'static', parse: 'none' })
    .get(`${OBJECT_PATH}*`, (ctx) => send(deps, ctx as unknown as Ctx), { access: 'static' })
}
