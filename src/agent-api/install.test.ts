// The install command as an operator pastes it, against a real server, with
// the compiled agent, into a throwaway root folder.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testServer, type TestServer } from '../testing/harness'
import { ensureAgentBinary } from '../testing/agent-binary'

let s: TestServer
let base: string
let poolId: string
const roots: string[] = []
beforeAll(async () => {
  ensureAgentBinary()
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Install', preset: 'generic' })).json.id
})
afterAll(async () => {
  await s.close()
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }))
})

function fakeRoot(osRelease: string) {
  const root = mkdtempSync(join(tmpdir(), 'sctl-root-'))
  roots.push(root)
  mkdirSync(join(root, 'etc'), { recursive: true })
  writeFileSync(join(root, 'etc/os-release'), osRelease)
  return root
}

const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n'

async function installScript(root: string, args: string[], env: Record<string, string> = {}) {
  const script = await (await fetch(`${base}/install.sh`)).text()
  const proc = Bun.spawn(['sh', '-s', '--', ...args], {
    stdin: new TextEncoder().encode(script),
    env: { ...process.env, SERVERSCTL_ROOT: root, SERVERSCTL_NO_SYSTEMD: '1', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err] = [await new Response(proc.stdout).text(), await new Response(proc.stderr).text()]
  return { code: await proc.exited, output: out + err }
}

async function addMember(hostname: string, egress = '127.0.0.1') {
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: hostname, hostname, egressIps: [egress] })
  return { id: res.json.id as string, secret: res.json.enrollment.secret as string }
}

describe('install.sh', () => {
  test('it installs the checked binary, writes the config 0600 and enrols; again it upgrades in place', async () => {
    const root = fakeRoot(UBUNTU)
    const m = await addMember('web-1.example.com')
    const first = await installScript(root, ['--server', base, '--secret', m.secret], { BALCTL_HOSTNAME: 'web-1.example.com' })
    expect(first.output).toContain('detected ubuntu (debian family)')
    expect(first.output).toContain('checksum ok')
    expect(first.code).toBe(0)
    const config = JSON.parse(readFileSync(join(root, 'etc/serversctl/agent.json'), 'utf8'))
    expect(config).toEqual({ server: base, memberId: m.id, token: expect.stringMatching(/^sctla_/) })
    expect(statSync(join(root, 'etc/serversctl/agent.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(root, 'usr/local/bin/serversctl-agent')).mode & 0o111).toBeTruthy()
    expect((await s.api('GET', `/api/v1/members/${m.id}`)).json.agentVersion).toBe('0.1.0')

    const again = await installScript(root, ['--server', base])
    expect(again.code).toBe(0)
    expect(again.output).toContain('already enrolled: upgrading in place')
    expect(JSON.parse(readFileSync(join(root, 'etc/serversctl/agent.json'), 'utf8')).token).toBe(config.token)
  }, 60_000)

  test('it refuses an unsupported distribution before downloading anything', async () => {
    const root = fakeRoot('ID=alpine\nVERSION_ID=3.19\n')
    const res = await installScript(root, ['--server', base, '--secret', 'x'])
    expect(res.code).not.toBe(0)
    expect(res.output).toContain("unsupported distribution 'alpine'")
  })

  test('it refuses a binary whose checksum does not match', async () => {
    const root = fakeRoot('ID=rocky\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n')
    // A server that publishes a different checksum than its binary has.
    const liar = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req) =>
        new URL(req.url).pathname === '/agent/SHA256SUMS'
          ? new Response(`${'0'.repeat(64)}  serversctl-agent-linux-x64\n`)
          : fetch(`${base}${new URL(req.url).pathname}`),
    })
    try {
      const res = await installScript(root, ['--server', `http://127.0.0.1:${liar.port}`, '--secret', 'x'])
      expect(res.code).not.toBe(0)
      expect(res.output).toContain('checksum mismatch')
      expect(() => statSync(join(root, 'usr/local/bin/serversctl-agent'))).toThrow()
    } finally {
      liar.stop(true)
    }
  }, 60_000)

  test('a reused secret is refused, and the member page says why', async () => {
    const m = await addMember('web-2.example.com')
    const env = { BALCTL_HOSTNAME: 'web-2.example.com' }
    expect((await installScript(fakeRoot(UBUNTU), ['--server', base, '--secret', m.secret], env)).code).toBe(0)
    const second = await installScript(fakeRoot(UBUNTU), ['--server', base, '--secret', m.secret], env)
    expect(second.code).not.toBe(0)
    expect(second.output).toContain('this secret was already used')
  }, 60_000)
})
