import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeCpanelHost, type CpanelHost } from '../../../src/testing/standins/cpanel/host'
import { parseKeyValues } from '../../../src/testing/standins/cpanel/fakehost'
import { catalogue } from '../catalogue'
import { accountAutossl, accountCreate, accountLogin, accountModify, accountSuspend, accountTerminate, accountUnsuspend, newPassword } from './cpanel-accounts'
import { cpanelJob, standinsOnPath } from './cpanel-test-kit'

let restorePath: () => void
beforeAll(() => void (restorePath = standinsOnPath()))
afterAll(() => restorePath())

let host: CpanelHost
beforeEach(() => void (host = makeCpanelHost()))
afterEach(() => host.cleanup())

const usersFile = (user: string) => {
  const path = join(host.root, 'var/cpanel/users', user)
  return existsSync(path) ? parseKeyValues(readFileSync(path, 'utf8')) : null
}
const job = (name: string, params: Record<string, any>, extra: { revealFails?: boolean } = {}) => cpanelJob(name, params, { root: host.root, ...extra })

describe('a new password', () => {
  test('24 characters with lower- and upper-case letters, digits and symbols, different every time', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const p = newPassword()
      expect(p).toHaveLength(24)
      expect(p).toMatch(/[a-z]/)
      expect(p).toMatch(/[A-Z]/)
      expect(p).toMatch(/[0-9]/)
      expect(p).toMatch(/[!@#%^*_\-+=.,:~]/)
      expect(p).toMatch(/^[A-Za-z0-9!@#%^*_\-+=.,:~]+$/)
      seen.add(p)
    }
    expect(seen.size).toBe(200)
  })
})

describe('cpanel.account.create', () => {
  const params = { user: 'blog', domain: 'blog.example.org', plan: 'Starter', contactEmail: 'me@example.org' }

  test('WHM creates the account; its password is revealed through the server and is nowhere in the output or the result', async () => {
    const j = job('cpanel.account.create', params)
    await j.run(accountCreate)
    expect(usersFile('blog')).toMatchObject({ USER: 'blog', DNS: 'blog.example.org', PLAN: 'Starter', CONTACTEMAIL: 'me@example.org', SUSPENDED: '0' })
    expect(readFileSync(join(host.root, 'etc/trueuserdomains'), 'utf8')).toContain('blog.example.org: blog')
    expect(j.reveals).toHaveLength(1)
    const { kind, value } = j.reveals[0]!
    expect(kind).toBe('password')
    expect(value).toHaveLength(24)
    expect(j.everything()).not.toContain(value)
    expect(j.results.at(-1)).toEqual({ user: 'blog', domain: 'blog.example.org', plan: 'Starter', ip: '192.0.2.10' })
    expect(j.steps).toEqual([0, 1])
    expect(catalogue['cpanel.account.create'].steps({})).toHaveLength(2)
  })

  test("WHM's refusal is the job's message, and nothing is revealed", async () => {
    const j = job('cpanel.account.create', { ...params, plan: 'Forbidden' })
    await expect(j.run(accountCreate)).rejects.toThrow('whmapi1 createacct failed: You do not have access to the package “Forbidden”.')
    expect(j.reveals).toEqual([])
    expect(usersFile('blog')).toBeNull()
  })

  test('an account that exists, a plan that does not, a domain already taken: WHM says which', async () => {
    await expect(job('cpanel.account.create', { ...params, user: 'shop' }).run(accountCreate)).rejects.toThrow('The account “shop” already exists.')
    await expect(job('cpanel.account.create', { ...params, plan: 'Gold' }).run(accountCreate)).rejects.toThrow('The package “Gold” does not exist.')
    await expect(job('cpanel.account.create', { ...params, domain: 'shop.example.com' }).run(accountCreate)).rejects.toThrow('already exists on this server')
  })

  test('when the server refuses the reveal, the job says the account exists and how to get a password', async () => {
    const j = job('cpanel.account.create', params, { revealFails: true })
    await expect(j.run(accountCreate)).rejects.toThrow(/The account blog was created, but its password could not be handed over .*set a new one in WHM/)
    expect(usersFile('blog')).not.toBeNull()
  })

  test('values are checked again on the agent before they reach whmapi1', async () => {
    for (const bad of [{ user: 'test1' }, { user: 'Blog' }, { user: 'blog user' }, { domain: 'not a domain' }, { plan: '../etc' }, { contactEmail: 'x' }]) {
      const j = job('cpanel.account.create', { ...params, ...bad })
      await expect(j.run(accountCreate)).rejects.toThrow(/^Refusing /)
      expect(j.output).toEqual([])
    }
  })
})

describe('plan, suspension and termination change the host', () => {
  test('cpanel.account.modify changes the plan; an unknown plan is refused in WHM’s words', async () => {
    await job('cpanel.account.modify', { user: 'shop', plan: 'default' }).run(accountModify)
    expect(usersFile('shop')!.PLAN).toBe('default')
    await expect(job('cpanel.account.modify', { user: 'shop', plan: 'Gold' }).run(accountModify)).rejects.toThrow('whmapi1 changepackage failed: The package “Gold” does not exist.')
  })

  test('suspend with a reason, then unsuspend', async () => {
    const s = job('cpanel.account.suspend', { user: 'shop', reason: 'Invoice 42 unpaid' })
    await s.run(accountSuspend)
    expect(usersFile('shop')!.SUSPENDED).toBe('1')
    expect(readFileSync(join(host.root, 'var/cpanel/suspended/shop'), 'utf8').trim()).toBe('Invoice 42 unpaid')
    expect(s.results.at(-1)).toEqual({ user: 'shop', suspended: true })

    await job('cpanel.account.unsuspend', { user: 'shop' }).run(accountUnsuspend)
    expect(usersFile('shop')!.SUSPENDED).toBe('0')
    expect(existsSync(join(host.root, 'var/cpanel/suspended/shop'))).toBe(false)
  })

  test('a reason of more than one line is refused on the agent', async () => {
    await expect(job('cpanel.account.suspend', { user: 'shop', reason: 'one\ntwo' }).run(accountSuspend)).rejects.toThrow(/^Refusing the reason/)
    expect(usersFile('shop')!.SUSPENDED).toBe('0')
  })

  test('terminate removes the users file, the domain and the home', async () => {
    await job('cpanel.account.terminate', { user: 'shop' }).run(accountTerminate)
    expect(usersFile('shop')).toBeNull()
    expect(existsSync(join(host.root, 'home/shop'))).toBe(false)
    expect(readFileSync(join(host.root, 'etc/trueuserdomains'), 'utf8')).not.toContain('shop')
  })

  test('an unknown account: WHM says so, and so does the job', async () => {
    for (const [name, handler] of [['cpanel.account.unsuspend', accountUnsuspend], ['cpanel.account.terminate', accountTerminate], ['cpanel.account.autossl', accountAutossl]] as const) {
      await expect(job(name, { user: 'ghost' }).run(handler)).rejects.toThrow('The user “ghost” does not exist.')
    }
  })

  test('a refusal WHM makes for its own reasons reaches the message too', async () => {
    const j = job('cpanel.account.suspend', { user: 'shop', reason: 'Abuse' })
    await expect(j.run(accountSuspend, { STANDIN_WHM_FAIL: JSON.stringify({ suspendacct: 'Only root may suspend the account “shop”.' }) })).rejects.toThrow('whmapi1 suspendacct failed: Only root may suspend the account “shop”.')
  })
})

describe('AutoSSL and the one-time login', () => {
  test('AutoSSL starts in the background for the account', async () => {
    const j = job('cpanel.account.autossl', { user: 'shop' })
    await j.run(accountAutossl)
    expect(existsSync(join(host.root, 'var/cpanel/standin/autossl/shop'))).toBe(true)
    expect(j.results.at(-1)).toMatchObject({ user: 'shop', pid: expect.any(Number) })
  })

  test('the login link is revealed once, and the result holds only the user', async () => {
    const j = job('cpanel.account.login', { user: 'shop' })
    await j.run(accountLogin)
    expect(j.reveals).toHaveLength(1)
    expect(j.reveals[0]!.kind).toBe('login')
    expect(j.reveals[0]!.value).toMatch(/^https:\/\/server\.example\.test:2083\/cpsess\d{10}\/login\/\?session=shop:[A-Za-z0-9_-]+$/)
    expect(j.results).toEqual([{ user: 'shop' }])
    expect(j.everything()).not.toContain('session=')
    expect(j.everything()).not.toContain('cpsess')
  })
})
