import { describe, expect, test } from 'bun:test'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { catalogue } from '../catalogue'
import { JobFailure } from '../types'
import { agentUpdateRecipe, letsencryptRecipe, SSH_DROP_IN, SSH_SETTINGS, sshEffectiveProblems, sshHardening, whmLinkCheck } from './recipes'
import { fakeContext, type FakeOptions } from './test-context'

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop'
const DEBIAN_SSHD = 'Include /etc/ssh/sshd_config.d/*.conf\n\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\n'
const OLD_SSHD = '#Port 22\nPasswordAuthentication yes\nUsePAM yes\n'
const HARDENED_T = 'port 22\npasswordauthentication no\npermitemptypasswords no\npermitrootlogin without-password\nmaxauthtries 4\n'

const allSteps = (name: keyof typeof catalogue) => catalogue[name].steps({}).map((_, i) => i)

/** The ssh fixture host, alice with a key when asked, and the given sshd_config. */
function sshHost(o: { aliceKey?: boolean; sshdConfig?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'ssh-hardening-'))
  cpSync(resolve(import.meta.dir, '../../fixtures/ssh-host'), root, { recursive: true })
  mkdirSync(join(root, 'home/alice/.ssh'), { recursive: true })
  if (o.aliceKey !== false) writeFileSync(join(root, 'home/alice/.ssh/authorized_keys'), `${KEY}\n`)
  mkdirSync(join(root, 'etc/ssh'), { recursive: true })
  writeFileSync(join(root, 'etc/ssh/sshd_config'), o.sshdConfig ?? DEBIAN_SSHD)
  return root
}

describe('recipe.ssh_hardening', () => {
  const run = async (root: string, o: FakeOptions = {}) => {
    const f = fakeContext({ root, answer: (cmd) => (cmd[1] === '-T' ? HARDENED_T : cmd[1] === 'is-active' ? 'active\n' : undefined), ...o })
    await sshHardening(f.ctx)
    return f
  }

  test('debian: a drop-in that sorts first, checked by sshd, then a reload of ssh', async () => {
    const root = sshHost()
    const f = await run(root)
    expect(readFileSync(join(root, SSH_DROP_IN), 'utf8')).toBe(SSH_SETTINGS)
    expect(readFileSync(join(root, 'etc/ssh/sshd_config'), 'utf8')).toBe(DEBIAN_SSHD)
    expect(f.argv()).toEqual(['/usr/sbin/sshd -t', '/usr/sbin/sshd -T', 'systemctl try-reload-or-restart ssh', 'systemctl is-active -- ssh'])
    expect(f.steps).toEqual(allSteps('recipe.ssh_hardening'))
    expect(f.logs).toContain('Accounts that can log in with a key: alice.')
  })

  test('rhel: the unit is sshd; an sshd_config without Include gets one on top, and a backup', async () => {
    const root = sshHost({ sshdConfig: OLD_SSHD })
    const f = await run(root, { family: 'rhel' })
    expect(readFileSync(join(root, 'etc/ssh/sshd_config'), 'utf8')).toBe(`Include /etc/ssh/sshd_config.d/*.conf\n${OLD_SSHD}`)
    const backup = f.logs.join('\n').match(/the old one is \/(etc\/ssh\/sshd_config\.serversctl-[^)]+)\)/)?.[1]
    expect(readFileSync(join(root, backup!), 'utf8')).toBe(OLD_SSHD)
    expect(f.argv()).toContain('systemctl try-reload-or-restart sshd')
  })

  test('refused while nobody has a key: nothing written, nothing run', async () => {
    const root = sshHost({ aliceKey: false })
    const f = fakeContext({ root })
    await expect(sshHardening(f.ctx)).rejects.toThrow('No account with a login shell has an authorized SSH key')
    expect(existsSync(join(root, SSH_DROP_IN))).toBe(false)
    expect(f.calls).toEqual([])
  })

  test('when sshd -t fails, everything is put back', async () => {
    const root = sshHost({ sshdConfig: OLD_SSHD })
    const f = fakeContext({ root, answer: (cmd) => (cmd[1] === '-t' ? { code: 255, stderr: 'Bad configuration option' } : undefined) })
    await expect(sshHardening(f.ctx)).rejects.toBeInstanceOf(JobFailure)
    expect(existsSync(join(root, SSH_DROP_IN))).toBe(false)
    expect(readFileSync(join(root, 'etc/ssh/sshd_config'), 'utf8')).toBe(OLD_SSHD)
    expect(f.argv()).not.toContain('systemctl try-reload-or-restart ssh')
  })

  test('when an earlier setting wins over ours, it says which and puts everything back', async () => {
    const root = sshHost()
    const f = fakeContext({ root, answer: (cmd) => (cmd[1] === '-T' ? HARDENED_T.replace('passwordauthentication no', 'passwordauthentication yes') : undefined) })
    await expect(sshHardening(f.ctx)).rejects.toThrow('sshd_config sets these before our file is read, so they win: passwordauthentication is yes.')
    expect(existsSync(join(root, SSH_DROP_IN))).toBe(false)
  })

  test('sshEffectiveProblems', () => {
    expect(sshEffectiveProblems(HARDENED_T)).toEqual([])
    expect(sshEffectiveProblems(HARDENED_T.replace('without-password', 'prohibit-password'))).toEqual([])
    expect(sshEffectiveProblems('permitrootlogin yes\n')).toEqual(['passwordauthentication is unset', 'permitemptypasswords is unset', 'permitrootlogin is yes'])
  })
})

describe('recipe.whm_link_check', () => {
  const WHM = (data: object, result = 1) => JSON.stringify({ metadata: { result, reason: result ? 'OK' : 'Access denied' }, data })
  function cpanelHost() {
    const root = mkdtempSync(join(tmpdir(), 'whm-'))
    mkdirSync(join(root, 'usr/local/cpanel'), { recursive: true })
    writeFileSync(join(root, 'usr/local/cpanel/version'), '11.124.0.21\n')
    writeFileSync(join(root, 'etc-trueuserdomains'), '')
    return root
  }
  const answer = (cmd: string[]) => {
    if (cmd[2] === 'version') return WHM({ version: '11.124.0.21' })
    if (cmd[2] === 'gethostname') return WHM({ hostname: 'whm1.example.net' })
  }

  test('whmapi1 answers, port 2087 answers locally; a bad certificate by name is a warning', async () => {
    const urls: string[] = []
    const fetch = (async (url: string) => {
      urls.push(url)
      if (url.startsWith('https://127.0.0.1')) return new Response('', { status: 200 })
      throw new Error('unable to verify the first certificate')
    }) as unknown as typeof globalThis.fetch
    const f = fakeContext({ root: cpanelHost(), fetch, answer })
    await whmLinkCheck(f.ctx)
    expect(f.argv()).toEqual(['/usr/local/cpanel/bin/whmapi1 --output=json version', '/usr/local/cpanel/bin/whmapi1 --output=json gethostname'])
    expect(urls).toEqual(['https://127.0.0.1:2087/', 'https://whm1.example.net:2087/'])
    expect(f.results).toEqual([
      { cpanelVersion: '11.124.0.21', whmVersion: '11.124.0.21', hostname: 'whm1.example.net', local: true, byHostname: 'unable to verify the first certificate' },
    ])
    expect(f.logs.some((l) => l.startsWith('Warning: https://whm1.example.net:2087/'))).toBe(true)
    expect(f.steps).toEqual(allSteps('recipe.whm_link_check'))
  })

  test('WHM not answering on 2087 fails', async () => {
    const fetch = (async () => {
      throw new Error('Connection refused')
    }) as unknown as typeof globalThis.fetch
    const f = fakeContext({ root: cpanelHost(), fetch, answer })
    await expect(whmLinkCheck(f.ctx)).rejects.toThrow('WHM does not answer on https://127.0.0.1:2087/: Connection refused. Is cpsrvd running?')
  })

  test('a whmapi1 call that failed inside its JSON fails the job', async () => {
    const f = fakeContext({ root: cpanelHost(), answer: () => WHM({}, 0) })
    await expect(whmLinkCheck(f.ctx)).rejects.toThrow('whmapi1 version failed: Access denied')
  })

  test('no cPanel', async () => {
    const f = fakeContext()
    await expect(whmLinkCheck(f.ctx)).rejects.toThrow('cPanel is not installed on this server.')
    expect(f.calls).toEqual([])
  })
})

describe('recipes that are a job by another name', () => {
  test("recipe.letsencrypt is the Let's Encrypt job: same handler, same refusals", async () => {
    const f = fakeContext({ params: { domains: ['-bad'], email: 'a@example.com', method: 'standalone' } })
    const g = fakeContext({ params: { domains: ['-bad'], email: 'a@example.com', method: 'standalone' } })
    const { letsencryptIssue } = await import('./letsencrypt')
    const viaRecipe = await letsencryptRecipe(f.ctx).then(() => 'ok', (e) => String(e))
    const viaJob = await letsencryptIssue(g.ctx).then(() => 'ok', (e) => String(e))
    expect(viaRecipe).toBe(viaJob)
    expect(f.argv()).toEqual(g.argv())
  })

  test('recipe.agent_update refuses to replace bun when run from source, like agent.update', async () => {
    const f = fakeContext()
    await expect(agentUpdateRecipe(f.ctx)).rejects.toThrow('This agent runs from source under bun')
  })
})
