import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HOME_SIZE_CACHE_MS, homeSizer, walkBytes } from './home-size'

const made: string[] = []
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))

/** A root with /home/<user> holding files of the given sizes. */
function homes(sizes: Record<string, number[]>): string {
  const root = mkdtempSync(join(tmpdir(), 'homes-'))
  made.push(root)
  for (const [user, files] of Object.entries(sizes)) {
    mkdirSync(join(root, 'home', user, 'mail/new'), { recursive: true })
    files.forEach((n, i) => writeFileSync(join(root, 'home', user, i % 2 ? 'mail/new' : '', `f${i}`), 'x'.repeat(n)))
  }
  return root
}

describe('walkBytes', () => {
  test('sums regular files in every folder; links are not followed', () => {
    const root = homes({ amy: [10, 20, 30] })
    symlinkSync('/usr', join(root, 'home/amy/usr-link'))
    expect(walkBytes(join(root, 'home/amy'))).toEqual({ bytes: 60, entries: 6 })
  })

  test('too many entries, or no such folder: not measured', () => {
    const root = homes({ amy: [1, 1, 1, 1] })
    expect(walkBytes(join(root, 'home/amy'), 3).bytes).toBeNull()
    expect(walkBytes(join(root, 'home/nobody')).bytes).toBeNull()
  })
})

describe('homeSizer', () => {
  test('a size is kept for 15 minutes, then measured again', () => {
    const root = homes({ amy: [100] })
    let now = 1_000_000
    expect(homeSizer({ now: () => now })(root, 'amy', '/home/amy')).toBe(100)
    writeFileSync(join(root, 'home/amy/more'), 'x'.repeat(50))
    now += HOME_SIZE_CACHE_MS - 1
    expect(homeSizer({ now: () => now })(root, 'amy', '/home/amy')).toBe(100)
    now += 1
    expect(homeSizer({ now: () => now })(root, 'amy', '/home/amy')).toBe(150)
  })

  test('once the budget is spent the homes left wait for a later detection', () => {
    const root = homes({ amy: [1, 2], bo: [3], cy: [4] })
    let now = 5_000_000
    // amy's home is too big (4 entries: f0, mail, new, f1) yet spends them; bo's takes the other 3; cy waits.
    const first = homeSizer({ now: () => now, budget: 7, maxEntries: 3 })
    expect(['amy', 'bo', 'cy'].map((u) => first(root, u, `/home/${u}`))).toEqual([null, 3, null])
    now += 60_000
    expect(homeSizer({ now: () => now, budget: 10, maxEntries: 10 })(root, 'cy', '/home/cy')).toBe(4)
  })
})
