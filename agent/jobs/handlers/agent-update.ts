// The agent replaces itself with the build its server hands out. Nothing is
// replaced unless the download matches SHA256SUMS and runs on this machine;
// the swap is a rename in the binary's own directory, so a crash midway
// leaves either the old binary or the new one, never half of one.
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { JobFailure, type JobContext, type JobHandler } from '../types'

/** Bigger than any agent build (about 100 MB) by a margin, small enough not to fill a disk. */
const MAX_BYTES = 400 * 1024 * 1024

export type AgentUpdateOptions = {
  /** The binary to replace; tests point it at a temp file. */
  execPath?: () => string
  arch?: string
}

/** This process's binary, but only when it is the compiled agent: never bun itself. */
export function compiledAgentPath(): string {
  if (!Bun.main.startsWith('/$bunfs/')) {
    throw new JobFailure('This agent runs from source under bun, not as the compiled binary; update it where its source lives.')
  }
  return process.execPath
}

/** "<sha256>  <file>" lines (a '*' before the name marks binary mode in sha256sum's format). */
export function checksumFor(sums: string, file: string): string | null {
  for (const line of sums.split('\n')) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(\S+)\s*$/.exec(line)
    if (m && m[2] === file) return m[1]!.toLowerCase()
  }
  return null
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

async function download(ctx: JobContext, url: string, maxBytes: number): Promise<Uint8Array> {
  const res = await ctx.fetch(url, { signal: ctx.signal })
  if (!res.ok) throw new JobFailure(`${url} answered ${res.status}.`)
  const length = Number(res.headers.get('content-length') ?? 0)
  if (length > maxBytes) throw new JobFailure(`${url} is ${length} bytes, more than an agent can be.`)
  const body = new Uint8Array(await res.arrayBuffer())
  if (body.length > maxBytes) throw new JobFailure(`${url} sent more than an agent can be.`)
  return body
}

export function makeAgentUpdate({ execPath = compiledAgentPath, arch = process.arch }: AgentUpdateOptions = {}): JobHandler {
  return async (ctx) => {
    if (arch !== 'x64' && arch !== 'arm64') throw new JobFailure(`There is no agent build for ${arch}.`)
    const target = execPath()
    const file = `serversctl-agent-linux-${arch}`

    ctx.step(0)
    const sums = new TextDecoder().decode(await download(ctx, `${ctx.server}/agent/SHA256SUMS`, 64 * 1024))
    const want = checksumFor(sums, file)
    if (!want) throw new JobFailure(`The server's SHA256SUMS has no line for ${file}; is that build missing on the server?`)
    const binary = await download(ctx, `${ctx.server}/agent/download/${file}`, MAX_BYTES)
    ctx.log(`Downloaded ${file} (${binary.length} bytes).`)

    ctx.step(1)
    const got = sha256(binary)
    if (got !== want) {
      throw new JobFailure(`The download's SHA-256 is ${got}, but SHA256SUMS says ${want}. The agent was not replaced.`)
    }
    ctx.log(`SHA-256 ${got} matches.`)
    let current: string | null = null
    try {
      current = sha256(readFileSync(target))
    } catch {}
    if (current === got) {
      ctx.log('This agent is already that build; nothing to replace.')
      return ctx.result({ replaced: false, sha256: got })
    }

    ctx.step(2)
    // Beside the binary, so the rename stays on one filesystem and is atomic.
    const tmp = join(dirname(target), `.${basename(target)}.update-${randomBytes(6).toString('hex')}`)
    try {
      writeFileSync(tmp, binary, { mode: 0o755, flag: 'wx' })
      chmodSync(tmp, 0o755)
      // A build that cannot start here (wrong architecture, truncated) must not replace one that can.
      const version = await ctx.exec([tmp, 'version'], { quiet: true, okCodes: [0] }).catch((e) => {
        throw new JobFailure(`The new agent does not run on this server (${e instanceof Error ? e.message : e}); the old one stays.`)
      })
      renameSync(tmp, target)
      ctx.log(`Replaced ${target} with version ${version.stdout.trim() || 'unknown'}; the agent restarts when this job is reported.`)
      ctx.result({ replaced: true, sha256: got, version: version.stdout.trim() || null })
    } finally {
      rmSync(tmp, { force: true })
    }
    ctx.requestRestart()
  }
}

export const agentUpdate = makeAgentUpdate()
