// Any S3-compatible store (S3, R2, MinIO, s3rver in tests). The credentials
// stay here; agents get presigned URLs.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { Readable } from 'node:stream'
import type { Config } from '../config'
import { checkKey, checkPrefix } from './keys'
import { chunksOf, Meter } from './body'
import { StorageError, type Body, type ObjectStore, type PutOptions } from './types'

export type S3Settings = NonNullable<Config['s3']>

/** S3 signs links for at most a week. */
const MAX_LINK_SECONDS = 7 * 24 * 3600

export function s3Client(s: S3Settings): S3Client {
  return new S3Client({
    endpoint: s.endpoint ?? undefined,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    credentials: s.accessKeyId && s.secretAccessKey ? { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } : undefined,
    // With the default (WHEN_SUPPORTED) a streamed upload goes out aws-chunked, and
    // stores that don't speak it (s3rver, some others) keep the framing inside the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A store that is down should fail the Test button in seconds, not minutes.
    maxAttempts: 2,
  })
}

const status = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
const isNotFound = (err: unknown) => status(err) === 404 || ['NotFound', 'NoSuchKey'].includes((err as Error)?.name)

/** The body passed through the meter, as the Node stream the SDK's HTTP handler sends. */
function metered(body: Body, meter: Meter): Readable {
  return Readable.from(
    (async function* () {
      for await (const chunk of chunksOf(body)) {
        meter.take(chunk)
        yield chunk
      }
    })(),
  )
}

async function buffered(body: Body, meter: Meter): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunksOf(body)) {
    meter.take(chunk)
    parts.push(chunk)
  }
  return Buffer.concat(parts)
}

/** `now`: the signing clock, which tests turn back to make links that have already expired */
export function s3Store(settings: S3Settings, opts: { client?: S3Client; now?: () => number } = {}): ObjectStore {
  const Bucket = settings.bucket
  const client = opts.client ?? s3Client(settings)
  const now = opts.now ?? Date.now

  async function upload(key: string, body: Body, opts: PutOptions) {
    const meter = new Meter(opts)
    if (opts.size !== undefined && !(body instanceof Uint8Array)) {
      // The length is known, so the SDK can stream it as a plain PUT.
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: metered(body, meter), ContentLength: opts.size }))
      try {
        return { size: meter.size, sha256: meter.finish() }
      } catch (err) {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key })).catch(() => {})
        throw err
      }
    }
    // Unknown length: S3 needs it up front, and chunks are small, so hold it in memory.
    const bytes = await buffered(body, meter)
    const sha256 = meter.finish()
    await client.send(new PutObjectCommand({ Bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength }))
    return { size: bytes.byteLength, sha256 }
  }

  return {
    kind: 's3',
    async put(key, body, opts = {}) {
      checkKey(key)
      return upload(key, body, opts)
    },
    async get(key) {
      checkKey(key)
      try {
        const res = await client.send(new GetObjectCommand({ Bucket, Key: key }))
        return { body: res.Body!.transformToWebStream() as ReadableStream<Uint8Array>, size: res.ContentLength ?? 0 }
      } catch (err) {
        if (isNotFound(err)) return null
        throw err
      }
    },
    async head(key) {
      checkKey(key)
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }))
        return { size: res.ContentLength ?? 0 }
      } catch (err) {
        if (isNotFound(err)) return null
        throw err
      }
    },
    async delete(key) {
      checkKey(key)
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }))
    },
    async *list(prefix = '') {
      checkPrefix(prefix)
      let token: string | undefined
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix || undefined, ContinuationToken: token }))
        for (const o of page.Contents ?? []) yield { key: o.Key!, size: o.Size ?? 0 }
        token = page.IsTruncated ? page.NextContinuationToken : undefined
      } while (token)
    },
    async stats() {
      let objects = 0
      let bytes = 0
      for await (const o of this.list('')) {
        objects++
        bytes += o.size
      }
      return { objects, bytes }
    },
    async presignPut(key, { expiresIn, contentLength }) {
      checkKey(key)
      const seconds = Math.min(MAX_LINK_SECONDS, Math.max(1, Math.floor(expiresIn)))
      const command = new PutObjectCommand({ Bucket, Key: key, ContentLength: contentLength })
      const url = await getSignedUrl(client, command, {
        expiresIn: seconds,
        // Signed, so the link cannot carry a larger object than it was made for.
        signableHeaders: contentLength === undefined ? undefined : new Set(['content-length']),
        signingDate: new Date(now()),
      })
      return { url, expiresAt: new Date(now() + seconds * 1000) }
    },
    async presignGet(key, { expiresIn }) {
      checkKey(key)
      const seconds = Math.min(MAX_LINK_SECONDS, Math.max(1, Math.floor(expiresIn)))
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn: seconds, signingDate: new Date(now()) })
      return { url, expiresAt: new Date(now() + seconds * 1000) }
    },
  }
}

