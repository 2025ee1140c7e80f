import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cannedRun } from '../run-command'
import { detectMariaDb, parseClientVersion, parseGalera, parseServerVersion } from './mariadb'
import { connectLocal, findSocket, type Connection } from './mariadb-connect'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)

function tempRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sctl-mariadb-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

/** A connection answering from a table of SQL text → rows; unknown SQL fails. */
function fakeConnection(answers: Record<string, (string | null)[][]>): Connection & { closed: boolean } {
  const conn = {
    via: 'bun' as const,
    closed: false,
    query: async (sql: string) => answers[sql] ?? null,
    close: async () => void (conn.closed = true),
  }
  return conn
}

const SIZES = 'select table_schema, sum(data_length + index_length) from information_schema.tables group by table_schema'

describe('parseClientVersion', () => {
  test.each([
    ['mariadb  Ver 15.1 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64) using  EditLine wrapper', { version: '10.11.19', flavor: 'mariadb' }],
    ['mariadb from 11.4.2-MariaDB, client 15.2 for linux-systemd (x86_64)', { version: '11.4.2', flavor: 'mariadb' }],
    ['mysql  Ver 15.1 Distrib 10.6.18-MariaDB, for Linux (x86_64) using readline 5.1', { version: '10.6.18', flavor: 'mariadb' }],
    ['mysql  Ver 8.0.36-0ubuntu0.22.04.1 for Linux on x86_64 ((Ubuntu))', { version: '8.0.36', flavor: 'mysql' }],
    ['mysql  Ver 14.14 Distrib 5.7.44, for Linux (x86_64) using  EditLine wrapper', { version: '5.7.44', flavor: 'mysql' }],
    ['command not found', null],
    ['', null],
  ])('%p', (text, want) => {
    expect(parseClientVersion(text)).toEqual(want as never)
  })
})

describe('parseServerVersion', () => {
  test.each([
    ['10.11.19-MariaDB-0+deb12u1', { version: '10.11.19', flavor: 'mariadb' }],
    ['10.6.18-MariaDB-log', { version: '10.6.18', flavor: 'mariadb' }],
    ['8.0.36', { version: '8.0.36', flavor: 'mysql' }],
    ['8.0.35-27', { version: '8.0.35', flavor: 'mysql' }],
    ['', null],
  ])('%p', (text, want) => {
    expect(parseServerVersion(text)).toEqual(want as never)
  })
})

describe('parseGalera', () => {
  test.each([
    [
      'a synced node of three',
      [['wsrep_cluster_status', 'Primary'], ['wsrep_cluster_size', '3'], ['wsrep_local_state_comment', 'Synced'], ['wsrep_ready', 'ON']],
      { clusterStatus: 'Primary', clusterSize: 3, localState: 'Synced', ready: true },
    ],
    [
      'a node that lost quorum',
      [['wsrep_cluster_status', 'non-Primary'], ['wsrep_cluster_size', '1'], ['wsrep_local_state_comment', 'Initialized'], ['wsrep_ready', 'OFF']],
      { clusterStatus: 'non-Primary', clusterSize: 1, localState: 'Initialized', ready: false },
    ],
    ['nothing known', [], { clusterStatus: null, clusterSize: null, localState: null, ready: null }],
    ['garbage size', [['wsrep_cluster_size', 'many']], { clusterStatus: null, clusterSize: null, localState: null, ready: null }],
  ])('%s', (_, rows, want) => {
    expect(parseGalera(rows)).toEqual(want)
  })
})

describe('detectMariaDb', () => {
  test('not installed: no stack, no connection attempt', async () => {
    let tried = false
    const connect = async () => ((tried = true), null)
    expect(await detectMariaDb({ root: fixture('plain-host'), run: cannedRun(), connect })).toEqual({ mariadb: null, galera: null })
    expect(tried).toBe(false)
  })

  test('a live server: version, databases without system schemas, empty ones at 0, no galera when wsrep is off', async () => {
    const conn = fakeConnection({
      'select version()': [['10.11.6-MariaDB-0+deb12u1']],
      'show databases': [['information_schema'], ['mysql'], ['performance_schema'], ['shop'], ['sys'], ['empty_one']],
      [SIZES]: [['mysql', '3809280'], ['shop', '49152'], ['information_schema', '0']],
      "show global variables like 'wsrep_on'": [['wsrep_on', 'OFF']],
    })
    const root = tempRoot({ 'usr/sbin/mariadbd': 'x' })
    try {
      expect(await detectMariaDb({ root, run: cannedRun(), connect: async () => conn })).toEqual({
        mariadb: {
          version: '10.11.6',
          flavor: 'mariadb',
          running: true,
          databases: [{ name: 'shop', sizeBytes: 49152 }, { name: 'empty_one', sizeBytes: 0 }],
          managedBy: null,
        },
        galera: null,
      })
      expect(conn.closed).toBe(true)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('a Galera node reports its cluster state', async () => {
    const conn = fakeConnection({
      'select version()': [['10.6.18-MariaDB-log']],
      'show databases': [['app']],
      [SIZES]: [],
      "show global variables like 'wsrep_on'": [['wsrep_on', 'ON']],
      "show global status like 'wsrep_%'": [
        ['wsrep_cluster_size', '3'],
        ['wsrep_cluster_status', 'Primary'],
        ['wsrep_local_state_comment', 'Donor/Desynced'],
        ['wsrep_ready', 'ON'],
      ],
    })
    const root = tempRoot({ 'etc/my.cnf': '[mysqld]\n' })
    try {
      const got = await detectMariaDb({ root, run: cannedRun(), connect: async () => conn })
      expect(got.galera).toEqual({ clusterStatus: 'Primary', clusterSize: 3, localState: 'Donor/Desynced', ready: true })
      expect(got.mariadb?.databases).toEqual([{ name: 'app', sizeBytes: 0 }])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('when the size query fails, sizes are unknown rather than zero', async () => {
    const conn = fakeConnection({ 'select version()': [['8.0.36']], 'show databases': [['app']] })
    const root = tempRoot({ 'usr/sbin/mysqld': 'x' })
    try {
      const got = await detectMariaDb({ root, run: cannedRun(), connect: async () => conn })
      expect(got.mariadb).toMatchObject({ version: '8.0.36', flavor: 'mysql', databases: [{ name: 'app', sizeBytes: null }] })
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('the cPanel host, server unreachable: client version, systemd says running, managed by cPanel', async () => {
    const run = cannedRun({
      'mariadb --version': 'mariadb  Ver 15.1 Distrib 10.6.18-MariaDB, for Linux (x86_64) using readline 5.1\n',
      'systemctl is-active mariadb mysql mysqld': { code: 0, stdout: 'active\ninactive\ninactive\n', stderr: '' },
    })
    expect(await detectMariaDb({ root: fixture('cpanel-host'), run, connect: async () => null })).toEqual({
      mariadb: { version: '10.6.18', flavor: 'mariadb', running: true, databases: [], managedBy: 'cpanel' },
      galera: null,
    })
  })

  test('nothing answers: the binary name still tells the flavor', async () => {
    expect(await detectMariaDb({ root: fixture('cpanel-host'), run: cannedRun(), connect: async () => null })).toEqual({
      mariadb: { version: null, flavor: 'mariadb', running: false, databases: [], managedBy: 'cpanel' },
      galera: null,
    })
  })
})

describe('findSocket and connectLocal', () => {
  test('a socket set in the config wins over the usual places', () => {
    const root = tempRoot({
      'etc/mysql/mariadb.conf.d/50-server.cnf': '[mysqld]\nsocket = /srv/db/mysqld.sock  # moved\n',
      'srv/db/mysqld.sock': '',
      'run/mysqld/mysqld.sock': '',
    })
    try {
      expect(findSocket(root)).toBe('/srv/db/mysqld.sock')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('no socket, no connection and no command run', async () => {
    const run = cannedRun()
    expect(await connectLocal({ root: fixture('cpanel-host'), run })).toBeNull()
    expect(run.calls).toEqual([])
  })

  test('when Bun cannot connect it falls back to the mariadb client and parses its tab-separated output', async () => {
    const root = tempRoot({ 'var/lib/mysql/mysql.sock': '' })
    const socket = `--socket=${root}/var/lib/mysql/mysql.sock`
    const cli = (sql: string) => `mariadb -N -B ${socket} --connect-timeout=5 -e ${sql}`
    const run = cannedRun({
      [cli('select 1')]: '1\n',
      [cli('show databases')]: 'information_schema\nshop\nodd\\tname\n',
      [cli(SIZES)]: 'shop\t16384\nbroken\tNULL\n',
    })
    try {
      const conn = await connectLocal({ root, run, timeoutMs: 2000 })
      expect(conn?.via).toBe('cli')
      expect(await conn!.query('show databases')).toEqual([['information_schema'], ['shop'], ['odd\tname']])
      expect(await conn!.query(SIZES)).toEqual([['shop', '16384'], ['broken', null]])
      expect(await conn!.query('select nonsense')).toBeNull()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('access denied everywhere: null', async () => {
    const root = tempRoot({ 'run/mysqld/mysqld.sock': '' })
    const denied = { code: 1, stdout: '', stderr: "ERROR 1045 (28000): Access denied for user 'root'@'localhost'" }
    const run = cannedRun({
      [`mariadb -N -B --socket=${root}/run/mysqld/mysqld.sock --connect-timeout=5 -e select 1`]: denied,
      [`mysql -N -B --socket=${root}/run/mysqld/mysqld.sock --connect-timeout=5 -e select 1`]: denied,
    })
    try {
      expect(await connectLocal({ root, run, timeoutMs: 2000 })).toBeNull()
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
