// The pool's data key: 32 random bytes made on first use, kept sealed under
// SECRET_KEY, handed to an agent only inside a running backup job.
import { randomBytes } from 'node:crypto'
import type { Db } from '../db'
import type { SecretBox } from '../crypto/secret-box'
import * as store from './store'

export async function poolDataKey(db: Db, secrets: SecretBox, poolId: string): Promise<Buffer> {
  const sealed = (await store.findDataKey(db, poolId)) ?? (await store.sealedDataKey(db, poolId, secrets.seal(randomBytes(32).toString('base64'))))
  const key = Buffer.from(secrets.open(sealed), 'base64')
  if (key.length !== 32) throw new Error(`The data key of pool ${poolId} is not 32 bytes`)
  return key
}

/** Where a chunk's sealed bytes live; two hex characters of fan-out keep folders small. */
export const chunkKey = (poolId: string, id: string) => `pools/${poolId}/chunks/${id.slice(0, 2)}/${id}`
