// Uptime, CPU, load, memory and disks from /proc and statfs.
import { statfsSync } from 'node:fs'
import { join } from 'node:path'
import type { HostStats } from '../protocol'
import { readText } from '../detect/files'

export type CpuTimes = { idle: number; total: number }

/** The aggregate `cpu` line of /proc/stat. Guest time is already inside user time, so only the first eight fields count. */
export function parseCpuTimes(procStat: string): CpuTimes | null {
  const line = procStat.split('\n').find((l) => /^cpu\s/.test(l))
  if (!line) return null
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number)
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null
  const idle = f[3] + (f[4] ?? 0)
  return { idle, total: f.reduce((a, b) => a + b, 0) }
}

/** Busy share between two samples, 0-100 with one decimal; null when no time passed or counters went backwards. */
export function cpuPercent(prev: CpuTimes, next: CpuTimes): number | null {
  const total = next.total - prev.total
  const idle = next.idle - prev.idle
  if (total <= 0 || idle < 0 || idle > total) return null
  return Math.round((1 - idle / total) * 1000) / 10
}

export type CpuSampler = { sample: () => Promise<number | null> }

/** Keeps the previous sample so each heartbeat gets the CPU use since the last one. */
export function createCpuSampler({ root = '/', firstGapMs = 250 }: { root?: string; firstGapMs?: number } = {}): CpuSampler {
  let prev: CpuTimes | null = null
  const read = () => parseCpuTimes(readText(root, 'proc/stat') ?? '')
  return {
    async sample() {
      let next = read()
      if (!next) return null
      if (!prev) {
        prev = next
        await Bun.sleep(firstGapMs)
        next = read()
        if (!next) return null
      }
      const pct = cpuPercent(prev, next)
      prev = next
      return pct
    },
  }
}

export function parseMeminfo(text: string): HostStats['memory'] {
  const kb = new Map<string, number>()
  for (const m of text.matchAll(/^(\w+):\s+(\d+)/gm)) kb.set(m[1], Number(m[2]) * 1024)
  const total = kb.get('MemTotal')
  if (!total) return null
  // Kernels before 3.14 lack MemAvailable; free + buffers + cache is the old estimate.
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0)
  return { totalBytes: total, availableBytes: available, usedBytes: Math.max(0, total - available) }
}

export function parseLoadavg(text: string): HostStats['load'] {
  const f = text.trim().split(/\s+/).slice(0, 3).map(Number)
  return f.length === 3 && f.every(Number.isFinite) ? [f[0], f[1], f[2]] : null
}

export function parseUptime(text: string): number | null {
  const n = Number(text.trim().split(/\s+/)[0])
  return text.trim() && Number.isFinite(n) ? Math.floor(n) : null
}

// Local block filesystems only: pseudo filesystems say nothing about disks, and
// statfs on a dead network mount can hang.
const DISK_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'zfs', 'jfs', 'reiserfs', 'f2fs', 'bcachefs', 'vfat', 'exfat', 'ntfs', 'ntfs3', 'fuseblk'])

export type Mount = { device: string; mount: string; fsType: string }

/** /proc/mounts lines with real filesystems, one per device (bind mounts repeat the device). */
export function parseMounts(text: string): Mount[] {
  const byDevice = new Map<string, Mount>()
  for (const line of text.split('\n')) {
    const [device, rawMount, fsType] = line.split(' ')
    if (!device || !rawMount || !fsType || !DISK_FS.has(fsType)) continue
    const mount = rawMount.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)))
    const seen = byDevice.get(device)
    if (!seen || mount.length < seen.mount.length) byDevice.set(device, { device, mount, fsType })
  }
  return [...byDevice.values()]
}

// The server takes at most 100 disks; the fast heartbeat sends these untrimmed.
const MAX_DISKS = 100

export function readDisks(root = '/'): HostStats['disks'] {
  const disks: HostStats['disks'] = []
  for (const m of parseMounts(readText(root, 'proc/mounts') ?? '')) {
    if (disks.length >= MAX_DISKS) break
    try {
      const s = statfsSync(join(root, m.mount))
      const totalBytes = s.blocks * s.bsize
      if (totalBytes > 0) disks.push({ mount: m.mount, fsType: m.fsType, totalBytes, usedBytes: (s.blocks - s.bfree) * s.bsize })
    } catch {
      // Unmounted since we read /proc/mounts, or not visible from here.
    }
  }
  return disks
}

export async function collectStats({ root = '/', cpu }: { root?: string; cpu: CpuSampler }): Promise<HostStats> {
  return {
    uptimeSeconds: parseUptime(readText(root, 'proc/uptime') ?? ''),
    cpuPercent: await cpu.sample(),
    load: parseLoadavg(readText(root, 'proc/loadavg') ?? ''),
    memory: parseMeminfo(readText(root, 'proc/meminfo') ?? ''),
    disks: readDisks(root),
  }
}
