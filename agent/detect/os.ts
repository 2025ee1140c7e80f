// Which distribution this is, from os-release, and which family of package
// tools it uses.
import type { OsFamily, OsInfo } from '../protocol'
import { readText } from './files'

/** KEY=value lines with optional shell-style quotes (os-release(5)). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(line)
    if (!m) continue
    let value = m[2].trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\([\\"$`])/g, '$1')
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1)
    }
    out[m[1]] = value
  }
  return out
}

const DEBIAN = new Set(['debian', 'ubuntu'])
const RHEL = new Set(['rhel', 'centos', 'fedora', 'rocky', 'almalinux', 'ol', 'cloudlinux'])

export function osFamily(id: string | null, idLike: string | null): OsFamily | null {
  const names = [id ?? '', ...(idLike ?? '').split(/\s+/)].map((s) => s.toLowerCase()).filter(Boolean)
  if (names.some((n) => DEBIAN.has(n))) return 'debian'
  if (names.some((n) => RHEL.has(n))) return 'rhel'
  return null
}

export function detectOs(root = '/'): OsInfo {
  const text = readText(root, 'etc/os-release') ?? readText(root, 'usr/lib/os-release') ?? ''
  const f = parseOsRelease(text)
  const id = f.ID || null
  return {
    id,
    versionId: f.VERSION_ID || null,
    family: osFamily(id, f.ID_LIKE || null),
    prettyName: f.PRETTY_NAME || null,
    kernel: readText(root, 'proc/sys/kernel/osrelease')?.trim() || null,
  }
}
