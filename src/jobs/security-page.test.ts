import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { claimWithin, finishJob } from './service'
import { UFW_WITH_RULES, jobsOf, memberWith, signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
let base: string
beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('Security'))
  base = s.serve()
})
afterAll(() => s.close())

const withRules = () => sampleHeartbeat({ firewall: UFW_WITH_RULES })
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH ops@laptop'

/** The agent's side, done by hand: take the member's oldest job and report it finished. */
async function agentFinishes(memberId: string, result: unknown) {
  const claimed = await claimWithin(s.db, memberId, 0, false)
  if (!claimed) throw new Error('nothing queued')
  await finishJob(s.db, memberId, claimed.id, { status: 'succeeded', result })
  return claimed
}

describe('the Security tab', () => {
  test('it renders as a full page and as an htmx fragment', async () => {
    const m = await memberWith(s, poolId, 'sec-render', withRules())
    const full = await b.get(m.tab('security'))
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    const part = await b.get(m.tab('security'), { 'hx-request': 'true', 'hx-target': 'div#member-panel' })
    expect(part.status).toBe(200)
    expect(part.text).not.toContain('<html')
    expect(part.text).toContain('id="firewall-rules"')
  })

  test('it shows the firewall KPIs and the rules the heartbeat reported, each removable', async () => {
    const m = await memberWith(s, poolId, 'sec-rules', withRules())
    const page = await b.get(m.tab('security'))
    const text = visibleText(page.text)
    expect(text).toContain('ufw Firewall enabled State 4 Rules')
    expect(text).toContain('Last sync')
    expect(text).toContain('22 tcp anywhere allow')
    expect(text).toContain('8000:8100 udp 198.51.100.0/24 allow')
    expect(text).toContain('3306 tcp 203.0.113.50 deny')
    // An app profile is listed, but only a rule the add form could have written is removed from here.
    expect(text).toContain('OpenSSH by service anywhere limit remove on the server')
    expect(page.text.match(/command="show-modal"[^>]*>Remove…/g)?.length).toBe(3)
    // Enabled already: only "Disable" is offered, behind a dialog naming the server.
    expect(text).toContain('Disable firewall…')
    expect(text).not.toContain('Enable firewall…')
    expect(text).toContain('Disable the firewall on sec-rules?')
    expect(text).toContain('Back up firewall configuration')
  })

  test('rules posted by an agent through the heartbeat API land in the table', async () => {
    const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'sec-agent', hostname: 'sec-agent.example.com', egressIps: ['127.0.0.1'] })
    const agent = async (path: string, body: unknown, token?: string) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
    const hb = withRules()
    const { token } = (await (await agent('/api/v1/agent/enroll', { secret: added.json.enrollment.secret, hostname: 'sec-agent.example.com', agentVersion: '0.1.0', os: hb.os })).json()) as { token: string }
    expect((await agent('/api/v1/agent/heartbeat', hb, token)).status).toBe(200)
    const text = visibleText((await b.get(`/pools/${poolId}/members/${added.json.id}/security`)).text)
    expect(text).toContain('8000:8100 udp 198.51.100.0/24 allow')
    expect(text).toContain('3306 tcp 203.0.113.50 deny')
  })

  test('without ufw or firewalld it says so and offers no firewall actions', async () => {
    const m = await memberWith(s, poolId, 'sec-none', sampleHeartbeat({ firewall: { kind: null, active: null, ruleCount: null } }))
    const page = await b.get(m.tab('security'))
    const text = visibleText(page.text)
    expect(text).toContain('No firewall manager found')
    expect(text).toContain('neither ufw nor firewalld on sec-none')
    expect(page.text).not.toContain('name="name" value="firewall.')
    expect(text).not.toContain('Add rule')
  })

  test('an agent that sends only the rule count gets no table, and says why', async () => {
    const m = await memberWith(s, poolId, 'sec-count', sampleHeartbeat())
    const text = visibleText((await b.get(m.tab('security'))).text)
    expect(text).toContain('reports only how many rules there are')
    expect(text).toContain('Add rule')
  })

  test('adding a rule queues exactly one firewall.rule.add with typed parameters', async () => {
    const m = await memberWith(s, poolId, 'sec-add', withRules())
    await b.get(m.tab('security'))
    const res = await b.post(m.jobs, { name: 'firewall.rule.add', tab: 'security', 'p.port': '8443', 'p.protocol': 'tcp', 'p.source': '203.0.113.0/24', 'p.action': 'allow' })
    expect(res.status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ name: 'firewall.rule.add', status: 'queued', params: { port: '8443', protocol: 'tcp', source: '203.0.113.0/24', action: 'allow' } })
    expect(res.headers.get('location')).toBe(`${m.jobs}/${jobs[0]!.id}`)
    // The tab lists it under the latest firewall jobs, linking to its page.
    const page = await b.get(m.tab('security'))
    expect(page.text).toContain(`href="${m.jobs}/${jobs[0]!.id}"`)
    expect(visibleText(page.text)).toContain('Add a firewall rule allow 8443/tcp from 203.0.113.0/24 queued')
  })

  test('bad rules are refused next to their field, with the values kept, and nothing is queued', async () => {
    const m = await memberWith(s, poolId, 'sec-bad', withRules())
    await b.get(m.tab('security'))
    const cases: [Record<string, string>, string, string][] = [
      [{ 'p.port': '70000', 'p.protocol': 'tcp' }, 'rule-port', 'Expected a port 1-65535 or a range like 8000:8100.'],
      [{ 'p.port': '22', 'p.protocol': 'tcp', 'p.source': 'the office' }, 'rule-source', 'Expected an IPv4 or IPv6 address, optionally with a /prefix.'],
      [{ 'p.port': '22', 'p.protocol': 'tcp', 'p.source': '10.0.0.1/8' }, 'rule-source', '10.0.0.1/8 has bits set past its /8 prefix; did you mean 10.0.0.0/8?'],
      [{ 'p.port': '9000:8000', 'p.protocol': 'tcp' }, 'rule-port', 'The port range 9000:8000 runs backwards; write it low:high.'],
    ]
    for (const [fields, fieldId, message] of cases) {
      const res = await b.post(m.jobs, { name: 'firewall.rule.add', tab: 'security', 'p.action': 'allow', ...fields })
      expect(res.status).toBe(422)
      expect(res.text).toMatch(new RegExp(`id="${fieldId}-error"[^>]*>${message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}<`))
      // The typed value comes back in its field.
      const typed = fields['p.source'] ?? fields['p.port']!
      expect(res.text).toContain(`value="${typed}"`)
    }
    expect(await jobsOf(s, m.id)).toHaveLength(0)
  })

  test('enabling, disabling and removing a rule need the server named; with it, one job each', async () => {
    const m = await memberWith(s, poolId, 'sec-confirm', withRules())
    await b.get(m.tab('security'))
    const refused = await b.post(m.jobs, { name: 'firewall.disable', tab: 'security', confirm: 'not-it' })
    expect(refused.status).toBe(422)
    expect(visibleText(refused.text)).toContain("To disable the firewall on sec-confirm, confirm with the server's name.")
    expect(await jobsOf(s, m.id)).toHaveLength(0)
    expect((await b.post(m.jobs, { name: 'firewall.disable', tab: 'security', confirm: 'sec-confirm' })).status).toBe(303)
    const remove = { name: 'firewall.rule.remove', tab: 'security', 'p.port': '8000:8100', 'p.protocol': 'udp', 'p.source': '198.51.100.0/24', 'p.action': 'allow' }
    expect((await b.post(m.jobs, remove)).status).toBe(422)
    expect((await b.post(m.jobs, { ...remove, confirm: 'sec-confirm' })).status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs.map((j) => j.name)).toEqual(['firewall.rule.remove', 'firewall.disable'])
    expect(jobs[0]!.params).toEqual({ port: '8000:8100', protocol: 'udp', source: '198.51.100.0/24', action: 'allow' })
  })

  test('the remove dialog of a row posts exactly that rule, once the server is named', async () => {
    const m = await memberWith(s, poolId, 'sec-row', withRules())
    const html = (await b.get(m.tab('security'))).text
    const dialog = /<dialog id="confirm-rule-remove-2"[\s\S]*?<\/dialog>/.exec(html)?.[0] ?? ''
    expect(dialog).toContain('name="name" value="firewall.rule.remove"')
    expect(dialog).toContain('name="p.port" value="3306"')
    expect(dialog).toContain('name="p.source" value="203.0.113.50"')
    expect(dialog).toContain('name="p.action" value="deny"')
    expect(dialog).toContain('Type sec-row to confirm')
    expect(dialog).toMatch(/<input id="confirm-rule-remove-2-confirm" name="confirm" type="text" value=""/)
    expect(dialog).toContain('commandfor="confirm-rule-remove-2" command="close"')
  })
})

describe('SSH keys on the Security tab', () => {
  test('Load keys queues ssh.key.list, comes back to the tab, and shows the keys once the agent has read them', async () => {
    const m = await memberWith(s, poolId, 'ssh-load', withRules())
    const before = visibleText((await b.get(m.tab('security'))).text)
    expect(before).toContain("root's keys have not been read yet")
    const res = await b.post(m.jobs, { name: 'ssh.key.list', tab: 'security', after: 'tab', 'p.user': 'deploy' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(m.tab('security'))
    const jobs = await jobsOf(s, m.id)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ name: 'ssh.key.list', params: { user: 'deploy' } })

    // While it waits, the tab is about deploy and the list polls.
    const waiting = await b.get(m.tab('security'))
    expect(visibleText(waiting.text)).toContain("Reading deploy's keys: queued")
    expect(waiting.text).toMatch(/id="ssh-keys-list"[^>]*hx-trigger="every 3s/)

    await agentFinishes(m.id, [
      { type: 'ssh-ed25519', fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', comment: 'ops@laptop' },
      { type: 'ssh-rsa', fingerprint: 'SHA256:0123456789abcdefghijklmnopqrstuvwxyzABCDEFG', comment: null },
    ])
    const page = await b.get(m.tab('security'))
    const text = visibleText(page.text)
    expect(text).toContain('2 keys for deploy, read')
    expect(text).toContain('ssh-ed25519 SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ ops@laptop')
    expect(text).toContain('ssh-rsa SHA256:0123456789abcdefghijklmnopqrstuvwxyzABCDEFG')
    expect(page.text).not.toMatch(/id="ssh-keys-list"[^>]*hx-trigger/)
    // Another user's keys are a query away; root's were never read.
    expect(visibleText((await b.get(`${m.tab('security')}?user=root`)).text)).toContain("root's keys have not been read yet")
  })

  test('removing a key needs the server named; adding one checks the key first', async () => {
    const m = await memberWith(s, poolId, 'ssh-edit', withRules())
    await b.get(m.tab('security'))
    const fp = 'SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ'
    expect((await b.post(m.jobs, { name: 'ssh.key.remove', tab: 'security', 'p.user': 'root', 'p.fingerprint': fp })).status).toBe(422)
    const bad = await b.post(m.jobs, { name: 'ssh.key.add', tab: 'security', 'p.user': 'root', 'p.key': 'ssh-ed25519 not-a-key' })
    expect(bad.status).toBe(422)
    expect(bad.text).toMatch(/id="ssh-key-error"[^>]*>Expected one OpenSSH public key line/)
    expect(await jobsOf(s, m.id)).toHaveLength(0)

    expect((await b.post(m.jobs, { name: 'ssh.key.remove', tab: 'security', 'p.user': 'root', 'p.fingerprint': fp, confirm: 'ssh-edit' })).status).toBe(303)
    expect((await b.post(m.jobs, { name: 'ssh.key.add', tab: 'security', 'p.user': 'root', 'p.key': KEY })).status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs.map((j) => [j.name, j.params])).toEqual([
      ['ssh.key.add', { user: 'root', key: KEY }],
      ['ssh.key.remove', { user: 'root', fingerprint: fp }],
    ])
  })

  test('changes queued after the last read are pointed out', async () => {
    const m = await memberWith(s, poolId, 'ssh-stale', withRules())
    await b.get(m.tab('security'))
    await b.post(m.jobs, { name: 'ssh.key.list', tab: 'security', after: 'tab', 'p.user': 'root' })
    await agentFinishes(m.id, [])
    expect(visibleText((await b.get(m.tab('security'))).text)).toContain('No keys: root cannot log in with a key')
    await b.post(m.jobs, { name: 'ssh.key.add', tab: 'security', 'p.user': 'root', 'p.key': KEY })
    expect(visibleText((await b.get(m.tab('security'))).text)).toContain('1 key change queued since this read (not all done yet)')
  })
})
