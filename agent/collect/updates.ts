// Pending package updates. Checks are slow (dnf may refresh metadata), so the
// result is cached and refreshed at most hourly, in the background once we
// have a first answer.
import type { Updates } from '../protocol'
import type { RunCommand } from '../run-command'

const CHECK_TIMEOUT_MS = 120_000
const NOT_CHECKED: Readonly<Updates> = { manager: null, pending: null, security: null, checkedAt: null }

/** `apt-get -s upgrade`: one `Inst` line per package; security ones come from a *-security suite. */
export function parseAptUpgrade(text: string): { pending: number; security: number } {
  const inst = text.split('\n').filter((l) => l.startsWith('Inst '))
  return { pending: inst.length, security: inst.filter((l) => /\(.*security.*\)/i.test(l)).length }
}

/** `dnf|yum check-update -q`: `name.arch version repo` lines; long names wrap onto an indented line. */
export function parseCheckUpdate(text: string): number {
  let count = 0
  for (const line of text.split('\n')) {
    // What follows is a list of packages being replaced, not extra updates.
    if (/^Obsoleting Packages/i.test(line)) break
    if (/^\S+\.\S+(\s|$)/.test(line) && !/^(Last metadata|Security:)/.test(line)) count++
  }
  return count
}

/** `dnf updateinfo list --security`: `ADVISORY severity/Sec. package` lines; counts packages. */
export function parseSecurityList(text: string): number {
  const pkgs = new Set<string>()
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length >= 3 && /sec/i.test(f[1])) pkgs.add(f[2])
  }
  return pkgs.size
}

export async function checkUpdates({ run, now = Date.now }: { run: RunCommand; now?: () => number }): Promise<Updates> {
  const checkedAt = () => new Date(now()).toISOString()
  const apt = await run(['apt-get', '-s', 'upgrade'], { timeoutMs: CHECK_TIMEOUT_MS })
  if (apt) {
    if (apt.code !== 0) return { manager: 'apt', pending: null, security: null, checkedAt: null }
    return { manager: 'apt', ...parseAptUpgrade(apt.stdout), checkedAt: checkedAt() }
  }
  for (const manager of ['dnf', 'yum'] as const) {
    const res = await run([manager, 'check-update', '-q'], { timeoutMs: CHECK_TIMEOUT_MS })
    if (!res) continue
    // 100 means updates are available, 0 none; anything else is an error.
    if (res.code !== 0 && res.code !== 100) return { manager, pending: null, security: null, checkedAt: null }
    const pending = res.code === 0 ? 0 : parseCheckUpdate(res.stdout)
    let security: number | null = null
    if (manager === 'dnf') {
      const sec = await run(['dnf', '-q', 'updateinfo', 'list', '--security'], { timeoutMs: CHECK_TIMEOUT_MS })
      if (sec?.code === 0) security = parseSecurityList(sec.stdout)
    }
    return { manager, pending, security, checkedAt: checkedAt() }
  }
  return { ...NOT_CHECKED }
}

export type UpdatesCache = { get: () => Promise<Updates> }

/** firstWaitMs bounds how long the very first heartbeat waits; the check goes on in the background. */
export function createUpdatesCache({
  run,
  now = Date.now,
  maxAgeMs = 3_600_000,
  // The first heartbeat must not wait for apt or dnf (seconds, or a metadata
  // refresh): it goes out at once and the answer follows a minute later.
  firstWaitMs = 500,
}: {
  run: RunCommand
  now?: () => number
  maxAgeMs?: number
  firstWaitMs?: number
}): UpdatesCache {
  let last: Updates | null = null
  let triedAt = -Infinity
  let inFlight: Promise<Updates> | null = null
  const refresh = () => {
    triedAt = now()
    inFlight ??= checkUpdates({ run, now })
      .then((u) => {
        // A failed check keeps the last good answer; its checkedAt tells how old it is.
        if (u.checkedAt || !last) last = u
        return last
      })
      .finally(() => (inFlight = null))
    return inFlight
  }
  return {
    async get() {
      if (!last) {
        let timer: ReturnType<typeof setTimeout> | undefined
        const wait = new Promise<Updates>((resolve) => (timer = setTimeout(() => resolve({ ...NOT_CHECKED }), firstWaitMs)))
        return Promise.race([inFlight ?? refresh(), wait]).finally(() => clearTimeout(timer))
      }
      if (now() - triedAt >= maxAgeMs && !inFlight) void refresh()
      return last
    },
  }
}
