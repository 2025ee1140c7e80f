import { afterEach, describe, expect, test } from 'bun:test'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { closeToOthers, prepareDataDir, UnsafeDataDir, usesDataDir } from './data-dir'

let root: string
afterEach(() => rmSync(root, { recursive: true, force: true }))
const fresh = () => (root = mkdtempSync(join(tmpdir(), 'sctl-datadir-')))

describe('prepareDataDir', () => {
  test('it creates a missing directory readable by its owner only', () => {
    const dir = join(fresh(), 'data')
    expect(prepareDataDir(dir)).toBeNull()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })

  test.each(['0777', '0775', '0757', '1777'])('it refuses a directory others can write to (mode %s)', (mode) => {
    const dir = fresh()
    chmodSync(dir, parseInt(mode, 8))
    expect(() => prepareDataDir(dir)).toThrow(UnsafeDataDir)
    expect(() => prepareDataDir(dir)).toThrow(`DATA_DIR ${dir} can be written by other users`)
    expect(() => prepareDataDir(dir)).toThrow(`chmod 700 ${dir}`)
  })

  test('it starts with a directory others can read, and says how to close it', () => {
    const dir = fresh()
    chmodSync(dir, 0o755)
    expect(prepareDataDir(dir)).toBe(`DATA_DIR ${dir} can be read by other users (mode 0755), and with it the database and the key file. Run "chmod 700 ${dir}".`)
  })

  test('it leaves an existing private directory alone', () => {
    const dir = fresh()
    chmodSync(dir, 0o700)
    expect(prepareDataDir(dir)).toBeNull()
    expect(statSync(dir).mode & 0o777).toBe(0o700)
  })
})

test('closeToOthers takes group and other permissions off every file and folder inside', () => {
  const dir = fresh()
  mkdirSync(join(dir, 'db/base'), { recursive: true, mode: 0o777 })
  chmodSync(join(dir, 'db'), 0o755)
  chmodSync(join(dir, 'db/base'), 0o777)
  writeFileSync(join(dir, 'db/base/1'), '', { mode: 0o666 })
  chmodSync(join(dir, 'db/base/1'), 0o666)
  writeFileSync(join(dir, 'secret.key'), '', { mode: 0o600 })
  writeFileSync(join(dir, 'outside'), '')
  chmodSync(join(dir, 'outside'), 0o644)
  symlinkSync(join(dir, 'outside'), join(dir, 'db/link'))
  chmodSync(dir, 0o755)
  closeToOthers(join(dir, 'db'))
  const mode = (p: string) => (statSync(join(dir, p)).mode & 0o777).toString(8)
  expect([mode('db'), mode('db/base'), mode('db/base/1')]).toEqual(['755', '700', '600'])
  closeToOthers(dir)
  expect([mode(''), mode('db'), mode('db/base'), mode('db/base/1'), mode('secret.key'), mode('outside')]).toEqual(['755', '700', '700', '600', '600', '600'])
})

test('DATA_DIR is used unless both the database and the key live elsewhere', () => {
  expect(usesDataDir({ databaseUrl: null, secretKey: null })).toBe(true)
  expect(usesDataDir({ databaseUrl: 'postgres://db', secretKey: null })).toBe(true)
  expect(usesDataDir({ databaseUrl: null, secretKey: 'k' })).toBe(true)
  expect(usesDataDir({ databaseUrl: 'postgres://db', secretKey: 'k' })).toBe(false)
})
