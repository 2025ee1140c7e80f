import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { missingProgram, testNeeding } from '../../src/testing/needs'
import { blobType, fingerprint, parseAuthorizedKey, parsePublicKey } from './ssh-keys'

const ED25519_BODY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
const ED25519 = `ssh-ed25519 ${ED25519_BODY} alice@laptop`

describe('parsePublicKey', () => {
  test('type, body and a comment with spaces', () => {
    expect(parsePublicKey(`ssh-ed25519 ${ED25519_BODY} Alice Example (laptop)`)).toEqual({ type: 'ssh-ed25519', body: ED25519_BODY, comment: 'Alice Example (laptop)' })
  })

  test('no comment', () => {
    expect(parsePublicKey(`ssh-ed25519 ${ED25519_BODY}`)?.comment).toBeNull()
  })

  test.each([
    ['an options prefix', `no-pty ${ED25519}`],
    ['two lines', `${ED25519}\n${ED25519}`],
    ['a carriage return', `${ED25519}\r`],
    ['a type the body does not hold', `ssh-rsa ${ED25519_BODY}`],
    ['a truncated body', 'ssh-ed25519 AAAAC3Nz'],
    ['an unknown type', `ssh-dss ${ED25519_BODY}`],
  ])('refuses %s', (_, line) => {
    expect(parsePublicKey(line)).toBeNull()
  })

  test('blobType reads the type the key blob starts with', () => {
    expect(blobType(ED25519_BODY)).toBe('ssh-ed25519')
    expect(blobType('!!!!')).toBeNull()
  })
})

describe('parseAuthorizedKey', () => {
  test('options with quoted spaces before the key', () => {
    const k = parseAuthorizedKey(`from="10.0.0.0/8,192.168.1.1",command="echo \\"hi there\\"",no-pty ${ED25519}`)
    expect(k).toMatchObject({ type: 'ssh-ed25519', body: ED25519_BODY, comment: 'alice@laptop', options: 'from="10.0.0.0/8,192.168.1.1",command="echo \\"hi there\\"",no-pty' })
  })

  test.each([['# a comment'], [''], ['   '], ['garbage line'], ['ssh-ed25519']])('%j is not a key', (line) => {
    expect(parseAuthorizedKey(line)).toBeNull()
  })
})

describe('fingerprint', () => {
  testNeeding(missingProgram('ssh-keygen', 'openssh-client'))('matches ssh-keygen -l for keys it makes', async () => {
    const ssh = Bun.which('ssh-keygen')!
    const dir = mkdtempSync(join(tmpdir(), 'keys-'))
    for (const [type, bits] of [['ed25519', []], ['rsa', ['-b', '2048']], ['ecdsa', ['-b', '384']]] as const) {
      const file = join(dir, type)
      expect(Bun.spawnSync([ssh, '-q', '-t', type, ...bits, '-N', '', '-C', `test ${type}`, '-f', file]).exitCode).toBe(0)
      const line = readFileSync(`${file}.pub`, 'utf8').trim()
      const want = Bun.spawnSync([ssh, '-l', '-E', 'sha256', '-f', `${file}.pub`]).stdout.toString().split(' ')[1]
      const key = parsePublicKey(line)
      expect(key).not.toBeNull()
      expect(fingerprint(key!.body)).toBe(want!)
    }
  })

  test('a known key', () => {
    expect(fingerprint(ED25519_BODY)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
  })
})
