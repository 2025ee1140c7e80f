// What the storage page and API tell: which store, how full, and whether a
// write, a read-back and a delete work right now.
import { randomBytes, createHash } from 'node:crypto'
import type { Config } from '../config'
import { objectsDir } from './index'
import { StorageError, type ObjectStore } from './types'

export type StorageInfo =
  | { backend: 'folder'; path: string }
  | { backend: 's3'; endpoint: string | null; bucket: string; region: string; accessKeyId: string | null; forcePathStyle: boolean }

/** The backend as a page may show it: never the secret, the access key id's last four only. */
export function storageInfo(config: Config): StorageInfo {
  const s3 = config.s3
  if (!s3) return { backend: 'folder', path: objectsDir(config) }
  const id = s3.accessKeyId
  return {
    backend: 's3',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    accessKeyId: id ? `…${id.slice(-4)}` : null,
    forcePathStyle: s3.forcePathStyle,
  }
}

/** The store's own error in words a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof StorageError) return err.message
  const e = err as { code?: string; name?: string; message?: string; errno?: number; address?: string; port?: number; $metadata?: { httpStatusCode?: number } }
  const code = e?.code ?? (e?.name && /^E[A-Z]+$/.test(e.name) ? e.name : undefined)
  const where = e?.address ? ` (${e.address}${e?.port ? `:${e.port}` : ''})` : ''
  if (code === 'ECONNREFUSED') return `Could not connect to the storage endpoint${where}: the connection was refused. Is it running, and is S3_ENDPOINT right?`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The storage endpoint's host name does not resolve${where}. Check S3_ENDPOINT.`
  if (code === 'ETIMEDOUT' || code === 'TimeoutError') return `The storage endpoint did not answer in time${where}.`
  if (code === 'EACCES' || code === 'EPERM') return `The server may not write to the storage folder: ${e.message}`
  if (code === 'ENOSPC') return 'The disk holding the storage folder is full.'
  const status = e?.$metadata?.httpStatusCode
  const name = e?.name && e.name !== 'Error' ? e.name : null
  const message = (e?.message ?? String(err)).trim() || 'no message'
  const prefix = [name, status ? `HTTP ${status}` : null].filter(Boolean).join(', ')
  return prefix ? `${prefix}: ${message}` : message
}

export type TestStep = { step: 'write' | 'read' | 'compare' | 'delete'; outcome: 'ok' | 'failed' | 'skipped'; ms: number; detail: string }
export type TestResult = { ok: boolean; steps: TestStep[] }

const TEST_BYTES = 256 * 1024

async function timed(step: TestStep['step'], fn: () => Promise<string>): Promise<TestStep> {
  const started = performance.now()
  try {
    const detail = await fn()
    return { step, outcome: 'ok', ms: Math.round(performance.now() - started), detail }
  } catch (err) {
    return { step, outcome: 'failed', ms: Math.round(performance.now() - started), detail: describeError(err) }
  }
}

async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const found = await store.get(key)
  if (!found) throw new Error('The object just written is not there')
  return Buffer.from(await new Response(found.body).arrayBuffer())
}

const skipped = (step: TestStep['step'], why: string): TestStep => ({ step, outcome: 'skipped', ms: 0, detail: `Not tried: ${why}` })

/** Writes an object, reads it back, compares and deletes it; each step's outcome and time. */
export async function testStore(store: ObjectStore): Promise<TestResult> {
  const key = `serversctl-test/${randomBytes(8).toString('hex')}`
  const bytes = randomBytes(TEST_BYTES)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const steps: TestStep[] = []
  steps.push(await timed('write', async () => `${(await store.put(key, bytes)).size} bytes written as ${key}`))
  if (steps[0]!.outcome !== 'ok') {
    steps.push(skipped('read', 'the write failed'), skipped('compare', 'the write failed'), skipped('delete', 'the write failed'))
    return { ok: false, steps }
  }
  let back: Buffer | null = null
  steps.push(await timed('read', async () => `${(back = await readAll(store, key)).byteLength} bytes read back`))
  if (back) {
    const got = back as Buffer
    const gotSha = createHash('sha256').update(got).digest('hex')
    steps.push(
      gotSha === sha256
        ? { step: 'compare', outcome: 'ok', ms: 0, detail: 'The bytes read back are the bytes written (SHA-256 matches)' }
        : { step: 'compare', outcome: 'failed', ms: 0, detail: `The bytes read back differ: ${got.byteLength} bytes with SHA-256 ${gotSha.slice(0, 12)}…, written ${bytes.byteLength} with ${sha256.slice(0, 12)}…` },
    )
  } else {
    steps.push(skipped('compare', 'the read failed'))
  }
  steps.push(
    await timed('delete', async () => {
      await store.delete(key)
      if (await store.head(key)) throw new Error('The object is still there after it was deleted')
      return 'Deleted, and gone'
    }),
  )
  return { ok: steps.every((s) => s.outcome === 'ok'), steps }
}
