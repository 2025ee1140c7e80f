// WordPress installs under the web roots, found by their wp-config.php.
import type { App } from '../protocol'
import { listDir, readText } from './files'

const MAX_DEPTH = 3
// Per web root, so one account with a million files cannot stall the agent.
const MAX_ENTRIES = 20_000
const SKIP = new Set(['node_modules', '.git', 'vendor', 'wp-admin', 'wp-includes', 'wp-content', 'cache', '.cache', 'tmp', 'logs', 'mail', '.trash'])

/** The DB_NAME, DB_USER and DB_HOST constants; commented-out lines do not count. */
export function parseWpConfig(text: string): { dbName: string | null; dbUser: string | null; dbHost: string | null } {
  const values = new Map<string, string>()
  const re = /define\s*\(\s*(['"])(DB_NAME|DB_USER|DB_HOST)\1\s*,\s*(['"])((?:\\.|(?!\3)[^\\])*)\3\s*\)/g
  for (const line of text.split('\n')) {
    const trimmed = line.trim()
    if (/^(\/\/|#|\/\*|\*)/.test(trimmed)) continue
    for (const m of trimmed.matchAll(re)) {
      if (!values.has(m[2])) values.set(m[2], m[4].replace(/\\(['"\\])/g, '$1'))
    }
  }
  return { dbName: values.get('DB_NAME') ?? null, dbUser: values.get('DB_USER') ?? null, dbHost: values.get('DB_HOST') ?? null }
}

/** OLS vhost roots, every /home/<user>/public_html and /var/www (host paths). */
export function webRoots(root: string, vhostRoots: (string | null)[]): string[] {
  const homes = listDir(root, 'home')
    .filter((e) => e.isDirectory())
    .map((e) => `/home/${e.name}/public_html`)
  return [...new Set([...vhostRoots.filter((r): r is string => !!r), ...homes, '/var/www'])]
}

function scan(root: string, dir: string, depth: number, budget: { left: number }, found: Set<string>) {
  const list = listDir(root, dir)
  budget.left -= list.length
  if (list.some((e) => e.name === 'wp-config.php' && e.isFile())) found.add(dir)
  if (depth >= MAX_DEPTH) return
  for (const e of list) {
    if (budget.left <= 0) return
    // isDirectory() is false for symlinks, so link loops cannot trap us.
    if (e.isDirectory() && !SKIP.has(e.name)) scan(root, `${dir}/${e.name}`, depth + 1, budget, found)
  }
}

export function detectApps({
  root = '/',
  vhostRoots = [],
  maxEntries = MAX_ENTRIES,
}: {
  root?: string
  vhostRoots?: (string | null)[]
  maxEntries?: number
}): App[] {
  const found = new Set<string>()
  for (const web of webRoots(root, vhostRoots)) scan(root, web.replace(/\/+$/, ''), 0, { left: maxEntries }, found)
  return [...found]
    .sort()
    .map((path) => ({ kind: 'wordpress' as const, path, ...parseWpConfig(readText(root, `${path}/wp-config.php`) ?? '') }))
}
