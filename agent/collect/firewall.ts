// The host firewall: ufw on Debian-family hosts, firewalld on RHEL-family ones.
import type { Firewall } from '../protocol'
import type { RunCommand } from '../run-command'

/** `ufw status`: rules are the lines under the `--` ruler; an inactive ufw lists none. */
export function parseUfwStatus(text: string): { active: boolean | null; ruleCount: number | null } {
  const m = /^Status:\s*(\w+)/m.exec(text)
  if (!m) return { active: null, ruleCount: null }
  if (m[1] !== 'active') return { active: false, ruleCount: null }
  const lines = text.split('\n')
  const ruler = lines.findIndex((l) => /^--\s/.test(l) || l.trim() === '--')
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

async function ufw(run: RunCommand): Promise<Firewall | null> {
  const res = await run(['ufw', 'status'])
  if (!res) return null
  return { kind: 'ufw', ...(res.code === 0 ? parseUfwStatus(res.stdout) : { active: null, ruleCount: null }) }
}

async function firewalld(run: RunCommand): Promise<Firewall | null> {
  const state = await run(['firewall-cmd', '--state'])
  if (!state) return null
  // --state prints "not running" and exits 252 when the daemon is stopped.
  if (state.stdout.trim() !== 'running') return { kind: 'firewalld', active: false, ruleCount: null }
  const list = await run(['firewall-cmd', '--list-all'])
  return { kind: 'firewalld', active: true, ruleCount: list?.code === 0 ? parseFirewalldList(list.stdout) : null }
}

/** The active one when both are installed, else whichever is installed. */
export async function detectFirewall({ run }: { run: RunCommand }): Promise<Firewall> {
  const u = await ufw(run)
  if (u?.active) return u
  const f = await firewalld(run)
  return (f?.active ? f : (u ?? f)) ?? { kind: null, active: null, ruleCount: null }
}
