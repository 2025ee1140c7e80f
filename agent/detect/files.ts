// Filesystem reads for detectors. Everything is relative to a root prefix so
// the same code runs against fixture folders, and nothing here throws.
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync, type Dirent } from 'node:fs'
import { join } from 'node:path'

/** Text of root/path, or null when missing, not a regular file or unreadable. Capped so a huge file cannot stall us. */
export function readText(root: string, path: string, maxBytes = 1_000_000): string | null {
  const full = join(root, path)
  try {
    const st = statSync(full)
    if (!st.isFile()) return null
    if (st.size <= maxBytes) return readFileSync(full, 'utf8')
    const fd = openSync(full, 'r')
    try {
      const buf = Buffer.alloc(maxBytes)
      const n = readSync(fd, buf, 0, maxBytes, 0)
      return buf.toString('utf8', 0, n)
    } finally {
      closeSync(fd)
    }
  } catch {
    return null
  }
}

export function exists(root: string, path: string): boolean {
  try {
    return existsSync(join(root, path))
  } catch {
    return false
  }
}

export function isDir(root: string, path: string): boolean {
  try {
    return statSync(join(root, path)).isDirectory()
  } catch {
    return false
  }
}

/** Entries of a directory, [] when it is missing or unreadable. */
export function listDir(root: string, path: string): Dirent[] {
  try {
    return readdirSync(join(root, path), { withFileTypes: true })
  } catch {
    return []
  }
}

/** A /proc/<pid> entry under root for the pid written in pidFile. */
export function pidAlive(root: string, pidFile: string): boolean {
  const pid = readText(root, pidFile)?.trim()
  return !!pid && /^\d+$/.test(pid) && isDir(root, `proc/${pid}`)
}
