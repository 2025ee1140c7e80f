import { describe, expect, test } from 'bun:test'
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fingerprint } from '../ssh-keys'
import { JobFailure } from '../types'
import { findAccount, findAccounts, keyAdd, keyList, keyRemove } from './ssh'
import { fakeContext } from './test-context'

const FIXTURE = resolve(import.meta.dir, '../../fixtures/ssh-host')
const asRoot = process.getuid?.() === 0

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIBUVA3YEL0z8HQ+XZBl8KtWZ8+2bcnEh6dHI/D04XlUj'
const KEY = `ssh-ed25519 ${ED} alice@laptop`
const KEY2 = `ssh-ed25519 ${ED2} alice@phone`

/** The fixture host in a temp dir, with homes for alice and root. Without root, alice is us, so chown works. */
function host() {
  const root = mkdtempSync(join(tmpdir(), 'ssh-host-'))
  cpSync(FIXTURE, root, { recursive: true })
  if (!asRoot) {
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8').replace('alice:x:1000:1000', `alice:x:${process.getuid!()}:${process.getgid!()}`)
    writeFileSync(join(root, 'etc/passwd'), passwd)
  }
  mkdirSync(join(root, 'home/alice'), { recursive: true })
  mkdirSync(join(root, 'root'), { recursive: true })
  return root
}

const run = async (root: string, handler: typeof keyAdd, params: Record<string, unknown>) => {
  const f = fakeContext({ root, params })
  await handler(f.ctx)
  expect(f.calls).toEqual([])
  return f
}

const aliceKeys = (root: string) => join(root, 'home/alice/.ssh/authorized_keys')

describe('/etc/passwd', () => {
  const passwd = readFileSync(join(FIXTURE, 'etc/passwd'), 'utf8')
  test('finds accounts and skips lines that are not one', () => {
    expect(findAccount(passwd, 'alice')).toEqual({ user: 'alice', uid: 1000, gid: 1000, home: '/home/alice', shell: '/bin/bash' })
    expect(findAccount(passwd, 'nobody')?.home).toBe('/nonexistent')
    expect(findAccount(passwd, 'carol')).toBeNull()
    expect(findAccounts(passwd)).toHaveLength(13)
  })
})

describe('ssh.key.add', () => {
  test('creates ~/.ssh (0700) and authorized_keys (0600), owned by the user', async () => {
    const root = host()
    const f = await run(root, keyAdd, { user: 'alice', key: KEY })
    expect(readFileSync(aliceKeys(root), 'utf8')).toBe(`${KEY}\n`)
    const dir = statSync(join(root, 'home/alice/.ssh'))
    const file = statSync(aliceKeys(root))
    expect(dir.mode & 0o777).toBe(0o700)
    expect(file.mode & 0o777).toBe(0o600)
    const uid = asRoot ? 1000 : process.getuid!()
    expect([dir.uid, file.uid]).toEqual([uid, uid])
    expect(f.results).toEqual([{ fingerprint: fingerprint(ED), added: true }])
    expect(f.steps).toEqual([0])
  })

  test('adding the same key again changes nothing', async () => {
    const root = host()
    await run(root, keyAdd, { user: 'alice', key: KEY })
    const before = statSync(aliceKeys(root)).mtimeMs
    // Same key, another comment: still the same key.
    const f = await run(root, keyAdd, { user: 'alice', key: `ssh-ed25519 ${ED} another comment` })
    expect(f.results).toEqual([{ fingerprint: fingerprint(ED), added: false }])
    expect(readFileSync(aliceKeys(root), 'utf8')).toBe(`${KEY}\n`)
    expect(statSync(aliceKeys(root)).mtimeMs).toBe(before)
  })

  test('keeps what was there: comments, options, a last line without a newline', async () => {
    const root = host()
    mkdirSync(join(root, 'home/alice/.ssh'), { mode: 0o700 })
    const existing = `# managed by hand\nfrom="10.0.0.0/8",no-pty ${KEY2}`
    writeFileSync(aliceKeys(root), existing)
    await run(root, keyAdd, { user: 'alice', key: KEY })
    expect(readFileSync(aliceKeys(root), 'utf8')).toBe(`${existing}\n${KEY}\n`)
    // A key already there behind options is still there.
    const again = await run(root, keyAdd, { user: 'alice', key: `ssh-ed25519 ${ED2}` })
    expect(again.results).toEqual([{ fingerprint: fingerprint(ED2), added: false }])
  })

  test("root's keys live in /root", async () => {
    const root = host()
    await run(root, keyAdd, { user: 'root', key: KEY })
    expect(readFileSync(join(root, 'root/.ssh/authorized_keys'), 'utf8')).toBe(`${KEY}\n`)
  })

  test.each([
    [{ user: 'carol', key: KEY }, 'There is no user carol in /etc/passwd on this server.'],
    [{ user: 'bob', key: KEY }, "bob's home directory /home/bob does not exist."],
    [{ user: '-oProxyCommand=x', key: KEY }, 'Refusing the user name "-oProxyCommand=x": it is not one.'],
    [{ user: 'alice', key: `command="sh" ${KEY}` }, 'That is not one OpenSSH public key line.'],
    [{ user: 'alice', key: `${KEY}\n${KEY2}` }, 'That is not one OpenSSH public key line.'],
  ])('%j fails clearly', async (params, message) => {
    const f = fakeContext({ root: host(), params })
    await expect(keyAdd(f.ctx)).rejects.toThrow(new JobFailure(message))
  })
})

describe('never through a symlink', () => {
  test('an authorized_keys that is a link is refused, and its target untouched', async () => {
    const root = host()
    writeFileSync(join(root, 'etc/shadow'), 'root:secret:::\n')
    mkdirSync(join(root, 'home/alice/.ssh'), { mode: 0o700 })
    symlinkSync(join(root, 'etc/shadow'), aliceKeys(root))
    for (const [handler, params] of [
      [keyAdd, { user: 'alice', key: KEY }],
      [keyList, { user: 'alice' }],
      [keyRemove, { user: 'alice', fingerprint: fingerprint(ED) }],
    ] as const) {
      const f = fakeContext({ root, params })
      await expect(handler(f.ctx)).rejects.toThrow('/home/alice/.ssh/authorized_keys is a symbolic link; refusing to follow it as root.')
    }
    expect(readFileSync(join(root, 'etc/shadow'), 'utf8')).toBe('root:secret:::\n')
    expect(lstatSync(aliceKeys(root)).isSymbolicLink()).toBe(true)
  })

  test('a ~/.ssh that is a link is refused', async () => {
    const root = host()
    mkdirSync(join(root, 'etc/cron.d'), { recursive: true })
    symlinkSync(join(root, 'etc/cron.d'), join(root, 'home/alice/.ssh'))
    const f = fakeContext({ root, params: { user: 'alice', key: KEY } })
    await expect(keyAdd(f.ctx)).rejects.toThrow('/home/alice/.ssh is a symbolic link; refusing to follow it as root.')
    expect(existsSync(join(root, 'etc/cron.d/authorized_keys'))).toBe(false)
  })
})

describe('ssh.key.list', () => {
  test('no file: no keys', async () => {
    const f = await run(host(), keyList, { user: 'alice' })
    expect(f.results).toEqual([[]])
  })

  test('type, fingerprint and comment of each key, options or not', async () => {
    const root = host()
    mkdirSync(join(root, 'home/alice/.ssh'), { mode: 0o700 })
    writeFileSync(aliceKeys(root), `# work laptop\n${KEY}\n\nno-port-forwarding,command="echo hi there" ssh-ed25519 ${ED2}\nnot a key\n`)
    const f = await run(root, keyList, { user: 'alice' })
    expect(f.results).toEqual([
      [
        { type: 'ssh-ed25519', fingerprint: fingerprint(ED), comment: 'alice@laptop' },
        { type: 'ssh-ed25519', fingerprint: fingerprint(ED2), comment: null },
      ],
    ])
  })
})

describe('ssh.key.remove', () => {
  test('removes the key with that fingerprint and keeps everything else', async () => {
    const root = host()
    await run(root, keyAdd, { user: 'alice', key: KEY })
    await run(root, keyAdd, { user: 'alice', key: KEY2 })
    const f = await run(root, keyRemove, { user: 'alice', fingerprint: fingerprint(ED) })
    expect(f.results).toEqual([{ removed: 1 }])
    expect(readFileSync(aliceKeys(root), 'utf8')).toBe(`${KEY2}\n`)
    expect(statSync(aliceKeys(root)).mode & 0o777).toBe(0o600)
  })

  test('a fingerprint that is not there is nothing to do', async () => {
    const root = host()
    await run(root, keyAdd, { user: 'alice', key: KEY2 })
    const f = await run(root, keyRemove, { user: 'alice', fingerprint: fingerprint(ED) })
    expect(f.results).toEqual([{ removed: 0 }])
    expect(readFileSync(aliceKeys(root), 'utf8')).toBe(`${KEY2}\n`)
  })

  test('a malformed fingerprint is refused', async () => {
    const f = fakeContext({ root: host(), params: { user: 'alice', fingerprint: 'SHA256:../../x' } })
    await expect(keyRemove(f.ctx)).rejects.toBeInstanceOf(JobFailure)
  })
})
