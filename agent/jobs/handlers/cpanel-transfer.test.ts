import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { makeCpanelHost, treeDigest, type CpanelHost } from '../../../src/testing/standins/cpanel/host'
import { accountTransfer, describeLogLine } from './cpanel-transfer'
import { cpanelJob, standinsOnPath } from './cpanel-test-kit'

const PASSWORD = 'Source-root-pw.42'

let restorePath: () => void
beforeAll(() => void (restorePath = standinsOnPath()))
afterAll(() => restorePath())

let source: CpanelHost
let target: CpanelHost
beforeEach(() => {
  source = makeCpanelHost({ hostname: 'a.example.test' })
  target = makeCpanelHost({ account: null, hostname: 'b.example.test' })
})
afterEach(() => {
  source.cleanup()
  target.cleanup()
})

/** The target's WHM, which reaches the source by its name. */
const whmEnv = (extra: Record<string, string> = {}) => ({
  STANDIN_WHM_HOSTNAME: 'b.example.test',
  STANDIN_WHM_HOSTS: JSON.stringify({ 'a.example.test': source.root }),
  STANDIN_WHM_ROOT_PASSWORD: PASSWORD,
  STANDIN_WHM_TRANSFER_STEP_MS: '50',
  ...extra,
})

const transferJob = (params: Record<string, any>, o: { password?: string; signal?: AbortSignal } = {}) =>
  cpanelJob('cpanel.account.transfer', { user: 'shop', sourceMemberId: 'mem_a', sourceHost: 'a.example.test', ...params }, { root: target.root, credentials: { user: 'root', password: o.password ?? PASSWORD }, signal: o.signal })

const sessions = () => readdirSync(join(target.root, 'var/cpanel/transfer_sessions'))
const sessionState = (id: string) => JSON.parse(readFileSync(join(target.root, 'var/cpanel/transfer_sessions', id, 'session.json'), 'utf8')).state

describe('cpanel.account.transfer', () => {
  test('WHM copies the account from the source: the same home here, the log in the output, the password nowhere', async () => {
    const j = transferJob({})
    await j.run(accountTransfer, whmEnv())
    expect(treeDigest(join(target.root, 'home/shop'))).toBe(treeDigest(join(source.root, 'home/shop')))
    expect(readFileSync(join(target.root, 'var/cpanel/users/shop'), 'utf8')).toContain('DNS=shop.example.com')
    const [id] = sessions()
    expect(j.results.at(-1)).toEqual({ transferSessionId: id, state: 'COMPLETED' })
    expect(j.logs).toContain('Connected to a.example.test.')
    expect(j.logs).toContain('Account shop: transfer started.')
    expect(j.logs).toContain('Account shop: restore done.')
    expect(j.calls.filter((c) => c.endsWith('/credentials'))).toHaveLength(1)
    expect(j.everything()).not.toContain(PASSWORD)
    expect(readFileSync(join(target.root, 'var/cpanel/transfer_sessions', id!, 'session.json'), 'utf8')).not.toContain(PASSWORD)
    expect(j.steps).toEqual([0, 1, 2, 3])
    expect(j.progress.at(-1)).toBe(99)
  })

  test("a wrong password fails the job with WHM's reason, and the password is not in it", async () => {
    const j = transferJob({}, { password: 'wrong-password-123' })
    const err = await j.run(accountTransfer, whmEnv()).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('whmapi1 create_remote_root_transfer_session failed: Basic credential check failed: the server “a.example.test” refused the login for “root”: Permission denied, please try again.')
    expect(j.everything()).not.toContain('wrong-password-123')
    expect(existsSync(join(target.root, 'var/cpanel/users/shop'))).toBe(false)
  })

  test('an account of that name here already: refused before the login is asked for', async () => {
    const here = makeCpanelHost({ hostname: 'b.example.test' })
    try {
      const j = cpanelJob('cpanel.account.transfer', { user: 'shop', sourceMemberId: 'mem_a', sourceHost: 'a.example.test' }, { root: here.root, credentials: { user: 'root', password: PASSWORD } })
      await expect(j.run(accountTransfer, whmEnv())).rejects.toThrow('An account named shop exists on this server already')
      expect(j.calls).toEqual([])
    } finally {
      here.cleanup()
    }
  })

  test("an item that fails fails the job with WHM's words, though the session completes", async () => {
    const j = transferJob({ user: 'ghost' })
    await expect(j.run(accountTransfer, whmEnv())).rejects.toThrow('The transfer of ghost from a.example.test failed: The account “ghost” does not exist on “a.example.test”.')
    const [id] = sessions()
    expect(sessionState(id!)).toBe('COMPLETED')
    expect(j.results.at(-1)).toEqual({ transferSessionId: id, state: 'COMPLETED', failures: ['The account “ghost” does not exist on “a.example.test”.'] })
  })

  test('cancelled while it runs: the session is aborted in WHM', async () => {
    const stop = new AbortController()
    const j = transferJob({}, { signal: stop.signal })
    const running = j.run(accountTransfer, whmEnv({ STANDIN_WHM_TRANSFER_STEP_MS: '1500' }))
    const deadline = Date.now() + 10_000
    while (!j.logs.some((l) => l.startsWith('WHM logged in to')) && Date.now() < deadline) await Bun.sleep(50)
    await Bun.sleep(300)
    stop.abort()
    await expect(running).rejects.toThrow()
    const [id] = sessions()
    expect(sessionState(id!)).toBe('ABORTED')
    expect(j.logs).toContain(`Transfer session ${id} aborted in WHM.`)
    await Bun.sleep(1700) // the session's own process sees the abort at its next step and stops there
    expect(existsSync(join(target.root, 'var/cpanel/users/shop'))).toBe(false)
  })

  test('the source host and the user are checked on the agent', async () => {
    await expect(transferJob({ sourceHost: 'a.example.test; rm -rf /' }).run(accountTransfer, whmEnv())).rejects.toThrow(/^Refusing the source server/)
    await expect(transferJob({ user: 'Shop' }).run(accountTransfer, whmEnv())).rejects.toThrow(/^Refusing the cPanel user "Shop"/)
  })
})

describe("master.log's lines in the job's output", () => {
  test('as the reference shows them: an item started, failed with its reason; bookkeeping left out', () => {
    const start = '{"partial":0,"indent":0,"type":"control","pid":12790,"contents":{"item":"root","time":1598991042,"child_number":1,"action":"start","queue":"TRANSFER","logfile":"item-TRANSFER_AccountRemoteUser_root","local_item":"root","item_name":"Account","item_type":"AccountRemoteUser"}}'
    const failed =
      '{"contents":{"child_number":1,"item":"root","time":1598991042,"logfile":"item-TRANSFER_AccountRemoteUser_root","local_item":"root","msg":{"dangerous_items":0,"failure":"The account “root” already exists on “control.box.new”.","size":1},"item_name":"Account","item_type":"AccountRemoteUser","queue":"TRANSFER","action":"failed-item"},"type":"control","pid":12790,"indent":0,"partial":0}'
    const count = '{"type":"control","pid":12789,"contents":{"time":1598991042,"queue":"TRANSFER","action":"queue_count","msg":1,"child_number":0},"partial":0,"indent":0}'
    expect(describeLogLine(failed)).toEqual({ text: ['Account root: transfer failed: The account “root” already exists on “control.box.new”.'], failure: 'The account “root” already exists on “control.box.new”.' })
    expect(describeLogLine(count)).toEqual({ text: [] })
    expect(describeLogLine(start)).toEqual({ text: [] })
    expect(describeLogLine('{"type":"out","contents":"Copying <b>homedir</b>…\\n","pid":1}')).toEqual({ text: ['Copying homedir…'] })
    expect(describeLogLine('plain text')).toEqual({ text: ['plain text'] })
  })
})
