// What an agent running a backup, restore, verify or drill job says to the
// server, beside the job's own report/finish calls. Every call is under
// /api/v1/agent/backups/:jobId/ and answers only the member's own agent,
// while that job is running on it. The pool's data key is handed out here,
// inside the job, and never stored on the member.
//
//   POST start     {}                        -> StartAnswer
//   POST chunks    ChunkCheck                -> ChunkCheckAnswer   (backups: which chunks to upload)
//   POST read      ChunkRead                 -> ChunkReadAnswer    (restores: where to download)
//   POST snapshot  SnapshotCommit            -> 201 { snapshotId } (backups: the manifest, once all chunks are stored)
//   POST outcome   Outcome                   -> { ok: true }       (verify and drill jobs)
//
// A chunk's id is HMAC-SHA-256(idKey, plaintext) in lower-case hex, so equal
// content has one name in a pool and the store learns nothing from names.
// Its stored object is sealChunk()'s bytes (agent/backup/seal.ts):
//   "SCC1" | 12-byte nonce | AES-256-GCM(encKey, zstd(plaintext), aad = id) | 16-byte tag
// encKey and idKey are HKDF-SHA-256 of the pool's 32-byte data key (see seal.ts).

export type BackupKind = 'database' | 'files' | 'config' | 'cpanel_account'

/** The most chunk ids one chunks/read call may carry. */
export const MAX_CHUNKS_PER_CALL = 500

/** One chunk as the agent cut it: its id and its sealed (stored) size in bytes. */
export type ChunkRef = { id: string; size: number }

export type SnapshotManifest = {
  id: string
  kind: BackupKind
  /** The database name, the directory, or "config". */
  source: string
  sizeBytes: number
  /** SHA-256 (hex) of the whole plaintext stream. */
  sha256: string
  /** The ordered chunk list. */
  chunks: ChunkRef[]
  /** For databases: CHECKSUM TABLE of every table at backup time (null where the engine gives none). */
  tables: Record<string, string | null> | null
}

export type StartAnswer = {
  /** The pool's data key, base64 (32 bytes). */
  dataKey: string
  /** For restore, verify and drill jobs: the snapshot they read. null for backups. */
  snapshot: SnapshotManifest | null
}

export type ChunkCheck = { chunks: ChunkRef[] }
/** The chunks the pool does not hold yet, each with a presigned PUT URL for exactly its size. */
export type ChunkCheckAnswer = { upload: { id: string; url: string }[] }

export type ChunkRead = { ids: string[] }
/** A presigned GET URL for each id asked for (404 when a chunk is not in the pool at all). */
export type ChunkReadAnswer = { urls: { id: string; url: string }[] }

export type SnapshotCommit = {
  kind: BackupKind
  source: string
  sizeBytes: number
  sha256: string
  /** Ordered chunk ids; each must be stored already, or the server answers 409 naming the first missing. */
  chunks: string[]
  tables: Record<string, string | null> | null
  /** Sealed bytes this backup uploaded itself (the rest were in the pool already). */
  uploadedBytes: number
}

export type Outcome =
  | { verify: { ok: true } | { ok: false; problem: string } }
  | { drill: { ok: true; tables: number } | { ok: false; problem: string; mismatched: string[] } }
