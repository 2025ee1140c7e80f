import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cannedRun } from '../run-command'
import { entry, lsPath, parseLsConfig } from './lsws-config'
import { detectOpenLiteSpeed, parseAdminPort, parseVhosts } from './openlitespeed'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)

describe('parseLsConfig', () => {
  test('blocks nest, keys keep their values, comments are skipped', () => {
    const c = parseLsConfig('# top\nuser nobody\nlistener Default {\n  address *:80\n  inner x {\n    a 1\n  }\n  map A a.com, b.com\n}\n')
    expect(entry(c, 'USER')).toBe('nobody')
    expect(c.blocks[0]).toMatchObject({ kind: 'listener', name: 'Default', entries: [['address', '*:80'], ['map', 'A a.com, b.com']] })
    expect(c.blocks[0].blocks[0]).toMatchObject({ kind: 'inner', name: 'x', entries: [['a', '1']] })
  })

  test('here-documents are one value and their braces do not open blocks', () => {
    const c = parseLsConfig('rewrite {\n rules <<<END\nRewriteRule x {\n}\nEND\n}\nafter 1\n')
    expect(c.blocks).toHaveLength(1)
    expect(entry(c.blocks[0], 'rules')).toBe('RewriteRule x {\n}')
    expect(entry(c, 'after')).toBe('1')
  })

  test('garbage and stray braces do not throw', () => {
    expect(() => parseLsConfig('}}}\n{{{\n\0\n')).not.toThrow()
  })
})

describe('lsPath', () => {
  test.each([
    ['Example/', { vhName: 'Example' }, '/usr/local/lsws/Example'],
    ['$SERVER_ROOT/$VH_NAME/', { vhName: 'Example' }, '/usr/local/lsws/Example'],
    ['/home/$VH_NAME', { vhName: 'shop.example.net' }, '/home/shop.example.net'],
    ['$VH_ROOT/conf/x.crt', { vhRoot: '/usr/local/lsws/Example' }, '/usr/local/lsws/Example/conf/x.crt'],
    ['/srv//www/', {}, '/srv/www'],
  ])('%p', (value, vars, want) => {
    expect(lsPath(value, vars)).toBe(want)
  })
})

describe('parseVhosts', () => {
  test.each([
    ['no vhosts', 'user nobody\n', []],
    [
      'relative and absolute roots, domains from maps, * left out, duplicates once',
      'virtualhost A {\n vhRoot A/\n}\nvirtualhost b.net {\n vhRoot /home/$VH_NAME/\n}\n' +
        'listener L1 {\n map A a.com, www.a.com\n map b.net b.net\n}\nlistener L2 {\n map b.net b.net,www.b.net\n map A *\n}\n',
      [
        { name: 'A', root: '/usr/local/lsws/A', domains: ['a.com', 'www.a.com'] },
        { name: 'b.net', root: '/home/b.net', domains: ['b.net', 'www.b.net'] },
      ],
    ],
    ['a vhost without vhRoot', 'virtualhost C {\n configFile x\n}\n', [{ name: 'C', root: null, domains: [] }]],
    ['a mapped vhost made from a template', 'listener L {\n map T t.org\n}\n', [{ name: 'T', root: null, domains: ['t.org'] }]],
  ])('%s', (_, text, want) => {
    expect(parseVhosts(text)).toEqual(want)
  })
})

describe('parseAdminPort', () => {
  test.each([
    ['listener adminListener {\n  address *:7080\n  secure 1\n}\n', 7080],
    ['listener adminListener {\n  address 127.0.0.1:9090\n}\n', 9090],
    ['listener adminListener {\n  address [::]:7443\n}\n', 7443],
    ['enableCoreDump 1\n', null],
    ['', null],
  ])('%p', (text, want) => {
    expect(parseAdminPort(text)).toBe(want)
  })
})

describe('detectOpenLiteSpeed', () => {
  test('the web host fixture: version, running from the pid file, admin port, vhosts', async () => {
    const run = cannedRun()
    expect(await detectOpenLiteSpeed({ root: fixture('ols-host'), run })).toEqual({
      version: '1.7.19',
      running: true,
      adminPort: 7080,
      vhosts: [
        { name: 'Example', root: '/usr/local/lsws/Example', domains: ['example.com', 'www.example.com'] },
        { name: 'shop.example.net', root: '/home/shop.example.net', domains: ['shop.example.net', 'www.shop.example.net'] },
      ],
    })
    // The live pid settles it; systemd is not asked.
    expect(run.calls).toEqual([])
  })

  test('with a stale pid it asks systemd, and missing config files leave nulls', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sctl-ols-'))
    try {
      mkdirSync(join(root, 'usr/local/lsws'), { recursive: true })
      mkdirSync(join(root, 'tmp/lshttpd'), { recursive: true })
      writeFileSync(join(root, 'tmp/lshttpd/lshttpd.pid'), '999999\n')
      const up = cannedRun({ 'systemctl is-active lsws': 'active\n' })
      expect(await detectOpenLiteSpeed({ root, run: up })).toEqual({ version: null, running: true, adminPort: null, vhosts: [] })
      expect(up.calls).toEqual(['systemctl is-active lsws'])
      const down = cannedRun({ 'systemctl is-active lsws': { code: 3, stdout: 'inactive\n', stderr: '' } })
      expect((await detectOpenLiteSpeed({ root, run: down }))?.running).toBe(false)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('no OpenLiteSpeed, no stack', async () => {
    expect(await detectOpenLiteSpeed({ root: fixture('plain-host'), run: cannedRun() })).toBeNull()
  })
})
