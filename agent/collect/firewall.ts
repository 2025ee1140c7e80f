// The host firewall: ufw on Debian-family hosts, firewalld on RHEL-family ones.
import { MAX_FIREWALL_RULES, type Firewall, type FirewallRule } from '../protocol'
import type { RunCommand } from '../run-command'

/** `ufw status`: rules are the lines under the `--` ruler; an inactive ufw lists none. */
export function parseUfwStatus(text: string): { active: boolean | null; ruleCount: number | null } {
  const m = /^Status:\s*(\w+)/m.exec(text)
  if (!m) return { active: null, ruleCount: null }
  if (m[1] !== 'active') return { active: false, ruleCount: null }
  const lines = text.split('\n')
  // `ufw status numbered` indents its header and ruler past the "[ n] " column.
  const ruler = lines.findIndex((l) => /^\s*--(\s|$)/.test(l))
  return { active: true, ruleCount: ruler < 0 ? 0 : lines.slice(ruler + 1).filter((l) => l.trim()).length }
}

/** `firewall-cmd --list-all`: services + ports + rich rules of the default zone. */
export function parseFirewalldList(text: string): number {
  let count = 0
  let inRich = false
  for (const line of text.split('\n')) {
    const m = /^\s+([\w -]+):\s*(.*)$/.exec(line)
    if (m) {
      const key = m[1].trim()
      inRich = key === 'rich rules'
      if (key === 'services' || key === 'ports') count += m[2].split(/\s+/).filter(Boolean).length
      if (inRich && m[2].trim()) count++
    } else if (inRich && line.trim().startsWith('rule')) count++
  }
  return count
}

// The server's heartbeat schema has these limits; one odd rule must not get the whole heartbeat refused.
const cut = (text: string, max: number) => text.slice(0, max)
const rule = (r: Omit<FirewallRule, 'raw'>, raw: string): FirewallRule => ({
  port: cut(r.port, 128),
  protocol: r.protocol === null ? null : cut(r.protocol, 16),
  source: r.source === null ? null : cut(r.source, 128),
  action: cut(r.action, 32),
  raw: cut(raw.trim().replace(/\s+/g, ' '), 512),
})

/**
 * The rule lines of `ufw status numbered` ("[ 3] 8000:8100/tcp  ALLOW IN  10.0.0.0/8  # note"),
 * or of plain `ufw status`. The action keyword splits To from From, since an
 * app profile name ("Apache Full") may hold a space.
 */
export function parseUfwRules(text: string): FirewallRule[] {
  const rules: FirewallRule[] = []
  const lines = text.split('\n')
  const ruler = lines.findIndex((l) => /^\s*--(\s|$)/.test(l))
  if (ruler < 0) return rules
  for (const line of lines.slice(ruler + 1)) {
    const m = /^\s*(?:\[\s*\d+\]\s*)?(.+?)\s+(ALLOW|DENY|REJECT|LIMIT)(?:\s+(IN|OUT|FWD))?\s+(.+?)\s*$/.exec(line)
    if (!m) continue
    const to = m[1]!.replace(/\s*\(v6\)$/, '').replace(/\s+on\s+\S+$/, '').trim()
    const from = m[4]!.replace(/\s*#.*$/, '').replace(/\s*\((v6|out|fwd)\)/g, '').replace(/\s+on\s+\S+$/, '').trim()
    const direction = m[3] && m[3] !== 'IN' ? ` ${m[3].toLowerCase()}` : ''
    // To is "port[/proto]", "address port[/proto]", "Anywhere" or an app profile name.
    const last = to.split(/\s+/).at(-1)!
    const portSpec = /^([\d,:]+)(?:\/(\w+))?$/.exec(last)
    const port = portSpec ? portSpec[1]! : /^Anywhere$/i.test(last) || /^[\d.:a-f]+(\/\d+)?$/i.test(last) ? 'any' : to
    const protocol = portSpec ? (portSpec[2] ?? 'any') : port === 'any' ? 'any' : null
    const source = /^Anywhere$/i.test(from) ? null : from.split(/\s+/)[0]!
    rules.push(rule({ port, protocol, source, action: m[2]!.toLowerCase() + direction }, line.replace(/^\s*\[\s*\d+\]\s*/, '')))
  }
  return rules
}

/** An attribute of one element of a rich rule: attr('port', 'protocol') in `port port="22" protocol="tcp"`. */
function attr(text: string, element: string, name: string): string | null {
  return new RegExp(`(?:^|\\s)${element}\\s+(?:[\\w-]+="[^"]*"\\s+)*?${name}="([^"]*)"`).exec(text)?.[1] ?? null
}

const VERDICTS: Record<string, string> = { accept: 'allow', drop: 'deny', reject: 'reject', mark: 'mark' }

/** A firewalld rich rule, as far as the rules table needs it. */
export function parseRichRule(text: string): FirewallRule {
  // The verdict is the last bare keyword; quoted values (a log prefix) could hold the same words.
  const bare = text.replace(/"[^"]*"/g, '""')
  const verdict = [...bare.matchAll(/(?:^|\s)(accept|reject|drop|mark)(?=\s|$)/g)].at(-1)?.[1] ?? 'accept'
  const port = attr(text, 'port', 'port')
  const service = attr(text, 'service', 'name')
  return rule(
    {
      port: port ? port.replace('-', ':') : (service ?? 'any'),
      protocol: port ? attr(text, 'port', 'protocol') : service ? null : 'any',
      source: attr(text, 'source', 'address') ?? attr(text, 'source', 'ipset'),
      action: VERDICTS[verdict]!,
    },
    text,
  )
}

/** Services, ports and rich rules of `firewall-cmd --list-all`, in that order. */
export function parseFirewalldRules(text: string): FirewallRule[] {
  const rules: FirewallRule[] = []
  let inRich = false
  for (const line of text.split('\n')) {
    const m = /^\s+([\w -]+):\s*(.*)$/.exec(line)
    if (m) {
      const key = m[1]!.trim()
      inRich = key === 'rich rules'
      const items = m[2]!.split(/\s+/).filter(Boolean)
      if (key === 'services') for (const name of items) rules.push(rule({ port: name, protocol: null, source: null, action: 'allow' }, `service ${name}`))
      if (key === 'ports') {
        for (const item of items) {
          const [port = item, protocol = null] = item.split('/')
          rules.push(rule({ port: port.replace('-', ':'), protocol, source: null, action: 'allow' }, `port ${item}`))
        }
      }
      if (inRich && m[2]!.trim().startsWith('rule')) rules.push(parseRichRule(m[2]!))
    } else if (inRich && line.trim().startsWith('rule')) rules.push(parseRichRule(line.trim()))
  }
  return rules
}

async function ufw(run: RunCommand): Promise<Firewall | null> {
  const res = await run(['ufw', 'status', 'numbered'])
  if (!res) return null
  if (res.code !== 0) return { kind: 'ufw', active: null, ruleCount: null, rules: [] }
  const status = parseUfwStatus(res.stdout)
  return { kind: 'ufw', ...status, rules: status.active ? parseUfwRules(res.stdout).slice(0, MAX_FIREWALL_RULES) : [] }
}

async function firewalld(run: RunCommand): Promise<Firewall | null> {
  const state = await run(['firewall-cmd', '--state'])
  if (!state) return null
  // --state prints "not running" and exits 252 when the daemon is stopped.
  if (state.stdout.trim() !== 'running') return { kind: 'firewalld', active: false, ruleCount: null, rules: [] }
  const list = await run(['firewall-cmd', '--list-all'])
  if (list?.code !== 0) return { kind: 'firewalld', active: true, ruleCount: null, rules: [] }
  return { kind: 'firewalld', active: true, ruleCount: parseFirewalldList(list.stdout), rules: parseFirewalldRules(list.stdout).slice(0, MAX_FIREWALL_RULES) }
}

/** The active one when both are installed, else whichever is installed. */
export async function detectFirewall({ run }: { run: RunCommand }): Promise<Firewall> {
  const u = await ufw(run)
  if (u?.active) return u
  const f = await firewalld(run)
  return (f?.active ? f : (u ?? f)) ?? { kind: null, active: null, ruleCount: null, rules: [] }
}
