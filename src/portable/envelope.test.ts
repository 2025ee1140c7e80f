import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DAMAGED, openExport, readHeader, sealExport, writeAtomically } from './envelope'

const PASS = 'correct horse battery staple'
const about = { database: 'pglite', tables: { users: 1 } }

describe('the export file', () => {
  test('it reads back what it sealed and its header says what is inside', () => {
    const file = sealExport('{"hello":"wörld"}', PASS, about)
    const parts = readHeader(file, 'x')
    expect(parts.header).toMatchObject({ format: 'serversctl-export', version: 1, tables: { users: 1 }, kdf: { name: 'scrypt', r: 8, p: 1 }, cipher: { name: 'aes-256-gcm' } })
    expect(parts.header.kdf.N).toBeGreaterThanOrEqual(2 ** 15)
    expect(openExport(parts, PASS)).toBe('{"hello":"wörld"}')
    expect(file.toString('latin1')).not.toContain('hello')
  })

  test('it says wrong passphrase or damaged file for a wrong passphrase a flipped byte a cut file or an edited header', () => {
    const file = sealExport('{"a":1}', PASS, about)
    expect(() => openExport(readHeader(file, 'x'), 'not the passphrase')).toThrow(DAMAGED)
    const flipped = Buffer.from(file)
    flipped[flipped.length - 20]! ^= 1
    expect(() => openExport(readHeader(flipped, 'x'), PASS)).toThrow(DAMAGED)
    expect(() => openExport(readHeader(file.subarray(0, file.length - 5), 'x'), PASS)).toThrow(DAMAGED)
    const edited = Buffer.from(file.toString('latin1').replace('"users":1', '"users":2'), 'latin1')
    expect(() => openExport(readHeader(edited, 'x'), PASS)).toThrow(DAMAGED)
    expect(() => readHeader(Buffer.from('PK\u0003\u0004 not ours'), 'backup.zip')).toThrow('backup.zip is not a serversctl export')
    expect(() => readHeader(file.subarray(0, 40), 'cut.sctl')).toThrow('cut.sctl is not a serversctl export')
  })

  test('it writes the file 0600 in one rename leaving no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sctl-envelope-'))
    try {
      const path = join(dir, 'fleet.sctl')
      writeAtomically(path, Buffer.from('one'))
      writeAtomically(path, Buffer.from('two'))
      expect(readFileSync(path, 'utf8')).toBe('two')
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(readdirSync(dir)).toEqual(['fleet.sctl'])
      expect(() => writeAtomically(join(dir, 'missing', 'x.sctl'), Buffer.from('x'))).toThrow('could not write')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
