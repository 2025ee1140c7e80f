import { describe, expect, test } from 'bun:test'
import { MAX_LISTENERS } from '../protocol'
import { cannedRun } from '../run-command'
import { collectListeners, parseLocalAddress, parseSsListeners } from './listeners'

// What `ss -ltnpH` prints on a cPanel host, run as root.
const SS = [
  'LISTEN 0      511          0.0.0.0:443        0.0.0.0:*    users:(("httpd",pid=2101,fd=6),("httpd",pid=2100,fd=6))',
  'LISTEN 0      100          0.0.0.0:25         0.0.0.0:*    users:(("exim",pid=1800,fd=3))',
  'LISTEN 0      511                *:80               *:*    users:(("httpd",pid=2100,fd=4))',
  'LISTEN 0      128             [::]:22            [::]:*    users:(("sshd",pid=812,fd=4))',
  'LISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=812,fd=3))',
  'LISTEN 0      80         127.0.0.1:3306       0.0.0.0:*    users:(("mariadbd",pid=900,fd=21))',
  'LISTEN 0      45           0.0.0.0:2087       0.0.0.0:*    users:(("cpsrvd (SSL) -",pid=1500,fd=4))',
  'LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*    users:(("systemd-resolve",pid=600,fd=14))',
  'LISTEN 0      4096               [::ffff:127.0.0.1]:953   *:*',
  'LISTEN 0      511             [::]:443           [::]:*    users:(("httpd",pid=2100,fd=7))',
  'LISTEN 0      511          0.0.0.0:443        0.0.0.0:*    users:(("httpd",pid=2102,fd=6))',
  '',
].join('\n')

describe('parseLocalAddress', () => {
  test.each([
    ['0.0.0.0:22', { address: '0.0.0.0', port: 22 }],
    ['*:80', { address: '*', port: 80 }],
    ['[::]:443', { address: '::', port: 443 }],
    ['[fe80::1%eth0]:8080', { address: 'fe80::1%eth0', port: 8080 }],
    ['127.0.0.53%lo:53', { address: '127.0.0.53%lo', port: 53 }],
    ['0.0.0.0:*', null],
    [':80', null],
    ['0.0.0.0:70000', null],
    ['nonsense', null],
  ])('%p', (text, want) => {
    expect(parseLocalAddress(text)).toEqual(want)
  })
})

describe('parseSsListeners', () => {
  test('one per address and port, sorted by port, with the process when ss shows it', () => {
    expect(parseSsListeners(SS)).toEqual([
      { port: 22, address: '0.0.0.0', process: 'sshd' },
      { port: 22, address: '::', process: 'sshd' },
      { port: 25, address: '0.0.0.0', process: 'exim' },
      { port: 53, address: '127.0.0.53%lo', process: 'systemd-resolve' },
      { port: 80, address: '*', process: 'httpd' },
      { port: 443, address: '0.0.0.0', process: 'httpd' },
      { port: 443, address: '::', process: 'httpd' },
      { port: 953, address: '::ffff:127.0.0.1', process: null },
      { port: 2087, address: '0.0.0.0', process: 'cpsrvd (SSL) -' },
      { port: 3306, address: '127.0.0.1', process: 'mariadbd' },
    ])
  })

  test('not root: no process; a later line that names it fills it in', () => {
    const text = 'LISTEN 0 128 0.0.0.0:8080 0.0.0.0:*\nLISTEN 0 128 0.0.0.0:8080 0.0.0.0:* users:(("node",pid=1,fd=3))\n'
    expect(parseSsListeners(text)).toEqual([{ port: 8080, address: '0.0.0.0', process: 'node' }])
  })

  test('a header (an ss without -H), a missing State column and garbage', () => {
    const text = 'State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n0 128 0.0.0.0:22 0.0.0.0:*\nLISTEN\nerror: something\n'
    expect(parseSsListeners(text)).toEqual([{ port: 22, address: '0.0.0.0', process: null }])
  })

  test(`at most ${MAX_LISTENERS}, the lowest ports kept`, () => {
    const text = Array.from({ length: MAX_LISTENERS + 50 }, (_, i) => `LISTEN 0 128 127.0.0.1:${40000 - i} 0.0.0.0:*`).join('\n')
    const got = parseSsListeners(text)
    expect(got).toHaveLength(MAX_LISTENERS)
    expect(got[0]!.port).toBe(40000 - MAX_LISTENERS - 49)
  })
})

describe('collectListeners', () => {
  test('runs ss', async () => {
    const run = cannedRun({ 'ss -ltnpH': SS })
    expect(await collectListeners({ run })).toHaveLength(10)
    expect(run.calls).toEqual(['ss -ltnpH'])
  })

  test('no ss, or ss failing: none rather than an error', async () => {
    expect(await collectListeners({ run: cannedRun() })).toEqual([])
    expect(await collectListeners({ run: cannedRun({ 'ss -ltnpH': { code: 1, stdout: '', stderr: 'ss: unknown option -H' } }) })).toEqual([])
  })
})
