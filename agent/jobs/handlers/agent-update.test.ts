import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checksumFor, makeAgentUpdate } from './agent-update'
import { fakeContext } from './test-context'

const NEW_AGENT = '#!/bin/sh\necho 9.9.9\n'
const OLD_AGENT = '#!/bin/sh\necho 0.1.0\n'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

// The server side of an update, as src/agent-api serves it: SHA256SUMS and the binaries.
// /lying/ serves the same binary with a checksum of something else.
let server: ReturnType<typeof Bun.serve>
const requests: string[] = []
beforeAll(() => {
  server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname
      requests.push(path)
      const lying = path.startsWith('/lying')
      const rest = path.replace(/^\/lying/, '')
      if (rest === '/agent/SHA256SUMS') {
        const x64 = lying ? sha('something else') : sha(NEW_AGENT)
        return new Response(`${x64}  serversctl-agent-linux-x64\n${sha(NEW_AGENT)}  serversctl-agent-linux-arm64\n`)
      }
      if (rest.startsWith('/agent/download/serversctl-agent-linux-')) return new Response(NEW_AGENT)
      return new Response('not found', { status: 404 })
    },
  })
})
afterAll(() => server.stop(true))

/** An installed "agent" in a temp dir, and a context whose exec really runs the new binary's `version`. */
function installed(path = '') {
  const dir = mkdtempSync(join(tmpdir(), 'agent-bin-'))
  const bin = join(dir, 'serversctl-agent')
  writeFileSync(bin, OLD_AGENT, { mode: 0o755 })
  const f = fakeContext({
    server: `http://127.0.0.1:${server.port}${path}`,
    fetch,
    answer: (cmd) => {
      const p = Bun.spawnSync(cmd)
      return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() }
    },
  })
  return { dir, bin, f }
}

describe('agent.update', () => {
  test('downloads, verifies, swaps the binary and asks for a restart', async () => {
    const { dir, bin, f } = installed()
    await makeAgentUpdate({ execPath: () => bin, arch: 'x64' })(f.ctx)
    expect(readFileSync(bin, 'utf8')).toBe(NEW_AGENT)
    expect(statSync(bin).mode & 0o777).toBe(0o755)
    expect(readdirSync(dir)).toEqual(['serversctl-agent'])
    expect(f.restarted()).toBe(true)
    expect(f.steps).toEqual([0, 1, 2])
    expect(f.results).toEqual([{ replaced: true, sha256: sha(NEW_AGENT), version: '9.9.9' }])
    // The new binary was run once from its temporary name, before the swap.
    expect(f.calls).toHaveLength(1)
    expect(f.calls[0]!.cmd[0]).toStartWith(join(dir, '.serversctl-agent.update-'))
  })

  test('arm64 fetches its own build', async () => {
    const { bin, f } = installed()
    requests.length = 0
    await makeAgentUpdate({ execPath: () => bin, arch: 'arm64' })(f.ctx)
    expect(requests).toEqual(['/agent/SHA256SUMS', '/agent/download/serversctl-agent-linux-arm64'])
  })

  test('a checksum that does not match leaves the old binary and no restart', async () => {
    const { dir, bin, f } = installed('/lying')
    await expect(makeAgentUpdate({ execPath: () => bin, arch: 'x64' })(f.ctx)).rejects.toThrow(
      `The download's SHA-256 is ${sha(NEW_AGENT)}, but SHA256SUMS says ${sha('something else')}. The agent was not replaced.`,
    )
    expect(readFileSync(bin, 'utf8')).toBe(OLD_AGENT)
    expect(readdirSync(dir)).toEqual(['serversctl-agent'])
    expect(f.restarted()).toBe(false)
    expect(f.calls).toEqual([])
  })

  test('the same build again replaces nothing and does not restart', async () => {
    const { bin, f } = installed()
    writeFileSync(bin, NEW_AGENT)
    await makeAgentUpdate({ execPath: () => bin, arch: 'x64' })(f.ctx)
    expect(f.results).toEqual([{ replaced: false, sha256: sha(NEW_AGENT) }])
    expect(f.restarted()).toBe(false)
  })

  test('a build that does not run here is not installed', async () => {
    const { dir, bin, f } = installed()
    f.ctx.exec = async () => {
      throw new Error('Exec format error')
    }
    await expect(makeAgentUpdate({ execPath: () => bin, arch: 'x64' })(f.ctx)).rejects.toThrow('The new agent does not run on this server (Exec format error); the old one stays.')
    expect(readFileSync(bin, 'utf8')).toBe(OLD_AGENT)
    expect(readdirSync(dir)).toEqual(['serversctl-agent'])
    expect(f.restarted()).toBe(false)
  })

  test('a server without that build says so', async () => {
    const { bin, f } = installed('/nowhere')
    await expect(makeAgentUpdate({ execPath: () => bin, arch: 'x64' })(f.ctx)).rejects.toThrow('/agent/SHA256SUMS answered 404.')
  })

  test('an architecture without a build', async () => {
    const { bin, f } = installed()
    await expect(makeAgentUpdate({ execPath: () => bin, arch: 'ia32' })(f.ctx)).rejects.toThrow('There is no agent build for ia32.')
  })

  test('run from source, it never replaces bun', async () => {
    const { f } = installed()
    await expect(makeAgentUpdate({ arch: 'x64' })(f.ctx)).rejects.toThrow('This agent runs from source under bun')
  })
})

describe('checksumFor', () => {
  const a = 'a'.repeat(64)
  test.each([
    [`${a}  serversctl-agent-linux-x64\n`, a],
    [`${a} *serversctl-agent-linux-x64\n`, a],
    [`${a.toUpperCase()}  serversctl-agent-linux-x64`, a],
    [`${a}  serversctl-agent-linux-x64.old\n`, null],
    ['garbage', null],
  ])('%j', (sums, want) => {
    expect(checksumFor(sums, 'serversctl-agent-linux-x64')).toBe(want)
  })
})
