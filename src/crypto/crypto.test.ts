import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSecretKey, maskSecret, secretBox } from './secret-box'
import { newId } from './tokens'

const dir = mkdtempSync(join(tmpdir(), 'sctl-key-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('secrets at rest', () => {
  test('a key file is made once, mode 0600, and reused', () => {
    const a = loadSecretKey(null, dir)
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
    expect(loadSecretKey(null, dir).equals(a)).toBe(true)
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).not.toContain('undefined')
  })

  test('a sealed secret opens with the same key only, and never shows the plain text', () => {
    const box = secretBox(loadSecretKey('one key', dir))
    const sealed = box.seal('cf-token-abcd')
    expect(sealed).not.toContain('cf-token')
    expect(box.open(sealed)).toBe('cf-token-abcd')
    expect(box.seal('cf-token-abcd')).not.toBe(sealed)
    expect(() => secretBox(loadSecretKey('another key', dir)).open(sealed)).toThrow()
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA')
    expect(() => box.open(tampered)).toThrow()
  })

  test('pages show only the last four characters', () => {
    expect(maskSecret('abcdefgh1234')).toBe('••••1234')
    expect(maskSecret('abc')).toBe('••••')
  })

  test('ids are prefixed, URL-safe and distinct', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('pool')))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^pool_[0-9a-z]{12}$/)
  })
})
