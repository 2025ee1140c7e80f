// The one place that picks the backend: S3 when S3_BUCKET is set, else the
// folder DATA_DIR/objects/ (CONTRACT.md).
import { join } from 'node:path'
import type { Config } from '../config'
import { folderStore } from './folder'
import { s3Store } from './s3'
import { linkKey } from './signed-url'
import type { ObjectStore } from './types'

export type { ObjectStore } from './types'
export { StorageError } from './types'

export const objectsDir = (config: Config) => join(config.dataDir, 'objects')

/** `secretKey`: the server's key (crypto/secret-box), from which the link-signing key is derived. */
export function createStorage(config: Config, secretKey: Buffer): ObjectStore {
  if (config.s3) return s3Store(config.s3)
  return folderStore({ root: objectsDir(config), linkKey: linkKey(secretKey), publicUrl: () => config.publicUrl })
}
