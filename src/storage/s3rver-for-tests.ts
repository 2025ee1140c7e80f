// A real S3 stand-in for tests: s3rver on a free loopback port, its files in
// a temporary folder, with one bucket; stop() removes both.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver'

export const S3RVER_BUCKET = 'sctl-test'

export async function startS3rver() {
  const dir = mkdtempSync(join(tmpdir(), 'sctl-s3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: process.env.S3RVER_LOG !== '1', directory: dir, configureBuckets: [{ name: S3RVER_BUCKET, configs: [] }] })
  const { port } = (await server.run()) as { port: number }
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    /** The S3_* variables that point the server at this stand-in (s3rver's fixed credentials). */
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: S3RVER_BUCKET,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      // s3rver checks only the key id of a v4 signature, so the secret can be one a test would notice on a page.
      S3_SECRET_ACCESS_KEY: 'secret-never-shown-0000',
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop: async () => {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
