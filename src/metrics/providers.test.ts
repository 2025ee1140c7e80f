// Backup storage failures reach /metrics; a caller's refused key does not.
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { folderStore } from '../storage/folder'
import { StorageError } from '../storage'
import { silentLog } from '../server/log'
import type { Db } from '../db'
import { createMetrics } from './index'
import { countStorageErrors } from './providers'

const dir = mkdtempSync(join(tmpdir(), 'sctl-metrics-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('a store that cannot write is counted by kind and operation; a refused key is not', async () => {
  // The objects folder replaced by a file: every write fails in the file system.
  const root = join(dir, 'objects')
  writeFileSync(root, '')
  const metrics = createMetrics({ db: null as unknown as Db, log: silentLog })
  const store = countStorageErrors(folderStore({ root, linkKey: Buffer.alloc(32), publicUrl: () => 'http://localhost' }), metrics)
  await expect(store.put('chunks/a', new Uint8Array([1, 2, 3]))).rejects.toThrow('ENOTDIR')
  await expect(store.put('/absolute', new Uint8Array([1]))).rejects.toBeInstanceOf(StorageError)
  const counted = (await metrics.storageProviderErrors.get()).values.map((v) => [v.labels, v.value])
  expect(counted).toEqual([[{ provider: 'folder', operation: 'put' }, 1]])
  expect(await store.get('chunks/a')).toBeNull()
})
