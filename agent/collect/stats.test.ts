import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectStats, cpuPercent, createCpuSampler, parseCpuTimes, parseLoadavg, parseMeminfo, parseMounts, parseUptime, readDisks } from './stats'

function tempRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sctl-stats-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

const stat = (user: number, idle: number, iowait = 0) => `cpu  ${user} 0 0 ${idle} ${iowait} 0 0 0 7 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1 2\n`

describe('parseCpuTimes', () => {
  test.each([
    ['a full line', 'cpu  100 5 20 800 30 1 2 3 50 0\n', { idle: 830, total: 961 }],
    ['an old kernel with four fields', 'cpu 10 0 10 80\n', { idle: 80, total: 100 }],
    ['no aggregate line', 'cpu0 1 2 3 4\n', null],
    ['garbage', 'cpu  a b c d\n', null],
    ['empty', '', null],
  ])('%s', (_, text, want) => {
    expect(parseCpuTimes(text)).toEqual(want)
  })
})

describe('cpuPercent', () => {
  test.each([
    ['half busy', { idle: 100, total: 200 }, { idle: 150, total: 300 }, 50],
    ['idle', { idle: 100, total: 200 }, { idle: 200, total: 300 }, 0],
    ['fully busy', { idle: 100, total: 200 }, { idle: 100, total: 300 }, 100],
    ['one decimal', { idle: 0, total: 0 }, { idle: 2, total: 3 }, 33.3],
    ['no time passed', { idle: 100, total: 200 }, { idle: 100, total: 200 }, null],
    ['counters went backwards', { idle: 100, total: 200 }, { idle: 50, total: 100 }, null],
  ])('%s', (_, prev, next, want) => {
    expect(cpuPercent(prev, next)).toBe(want)
  })
})

describe('createCpuSampler', () => {
  test('the first call takes a second sample; later calls use the previous one', async () => {
    const root = tempRoot({ 'proc/stat': stat(100, 900) })
    try {
      const sampler = createCpuSampler({ root, firstGapMs: 1 })
      // The file does not change during the short gap, so no time "passed".
      expect(await sampler.sample()).toBeNull()
      writeFileSync(join(root, 'proc/stat'), stat(130, 960, 10))
      expect(await sampler.sample()).toBe(30)
      writeFileSync(join(root, 'proc/stat'), stat(230, 960, 10))
      expect(await sampler.sample()).toBe(100)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('the real /proc/stat gives a percentage', async () => {
    const pct = await createCpuSampler().sample()
    expect(pct).toBeGreaterThanOrEqual(0)
    expect(pct).toBeLessThanOrEqual(100)
  })

  test('no /proc/stat: null', async () => {
    expect(await createCpuSampler({ root: '/nonexistent-serversctl-root' }).sample()).toBeNull()
  })
})

describe('parseMeminfo', () => {
  test.each([
    ['with MemAvailable', 'MemTotal:       2000 kB\nMemFree:         100 kB\nMemAvailable:    1500 kB\n', { totalBytes: 2048000, availableBytes: 1536000, usedBytes: 512000 }],
    ['an old kernel without MemAvailable', 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n', { totalBytes: 1024000, availableBytes: 409600, usedBytes: 614400 }],
    ['no MemTotal', 'MemFree: 1 kB\n', null],
    ['empty', '', null],
  ])('%s', (_, text, want) => {
    expect(parseMeminfo(text)).toEqual(want)
  })
})

describe('parseLoadavg and parseUptime', () => {
  test.each([
    ['0.15 0.10 0.05 1/123 4567\n', [0.15, 0.1, 0.05]],
    ['1.00 2.00\n', null],
    ['x y z\n', null],
  ])('load %p', (text, want) => {
    expect(parseLoadavg(text)).toEqual(want as never)
  })

  test.each([
    ['12345.67 54321.00\n', 12345],
    ['', null],
    ['abc', null],
  ])('uptime %p', (text, want) => {
    expect(parseUptime(text)).toBe(want)
  })
})

describe('parseMounts', () => {
  test('real filesystems only, one line per device, escaped spaces decoded', () => {
    const text = [
      'proc /proc proc rw 0 0',
      'sysfs /sys sysfs rw 0 0',
      'devtmpfs /dev devtmpfs rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
      'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
      '/dev/loop0 /snap/core/1 squashfs ro 0 0',
      'srv:/export /mnt/nfs nfs4 rw 0 0',
      '/dev/sda1 / ext4 rw 0 0',
      '/dev/sda1 /etc/hosts ext4 rw 0 0',
      '/dev/sdb1 /mnt/big\\040disk xfs rw 0 0',
      '/dev/sda15 /boot/efi vfat rw 0 0',
      '',
      'garbage',
    ].join('\n')
    expect(parseMounts(text)).toEqual([
      { device: '/dev/sda1', mount: '/', fsType: 'ext4' },
      { device: '/dev/sdb1', mount: '/mnt/big disk', fsType: 'xfs' },
      { device: '/dev/sda15', mount: '/boot/efi', fsType: 'vfat' },
    ])
  })
})

describe('readDisks and collectStats', () => {
  test('sizes come from statfs of the mount point under root', () => {
    const root = tempRoot({ 'proc/mounts': '/dev/vda / ext4 rw 0 0\n/dev/vdb /gone ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n' })
    try {
      const disks = readDisks(root)
      // /gone does not exist under root: left out rather than failing.
      expect(disks.map((d) => [d.mount, d.fsType])).toEqual([['/', 'ext4']])
      expect(disks[0].totalBytes).toBeGreaterThan(0)
      expect(disks[0].usedBytes).toBeLessThanOrEqual(disks[0].totalBytes)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('an empty root gives nulls and no disks', async () => {
    const root = '/nonexistent-serversctl-root'
    expect(await collectStats({ root, cpu: createCpuSampler({ root }) })).toEqual({ uptimeSeconds: null, cpuPercent: null, load: null, memory: null, disks: [] })
  })

  test('this machine', async () => {
    const s = await collectStats({ cpu: createCpuSampler() })
    expect(s.uptimeSeconds).toBeGreaterThan(0)
    expect(s.memory?.totalBytes).toBeGreaterThan(0)
    expect(s.load).toHaveLength(3)
    expect(s.disks.length).toBeGreaterThan(0)
  })
})
