import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { detectApps, parseWpConfig, webRoots } from './apps'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)

function tempRoot(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'sctl-apps-'))
  for (const path of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), "<?php define('DB_NAME', 'x');\n")
  }
  return root
}

describe('parseWpConfig', () => {
  test.each([
    ['single quotes', "define( 'DB_NAME', 'wp' );\ndefine( 'DB_USER', 'u' );\ndefine( 'DB_HOST', 'localhost' );", { dbName: 'wp', dbUser: 'u', dbHost: 'localhost' }],
    ['double quotes, no spaces', 'define("DB_NAME","wp2");define("DB_USER","u2");\ndefine("DB_HOST","127.0.0.1:3306");', { dbName: 'wp2', dbUser: 'u2', dbHost: '127.0.0.1:3306' }],
    ['mixed quotes', `define('DB_NAME', "mixed");`, { dbName: 'mixed', dbUser: null, dbHost: null }],
    ['escaped quote in a value', "define('DB_USER', 'o\\'brien');", { dbName: null, dbUser: "o'brien", dbHost: null }],
    ['a quote of the other kind inside', `define('DB_HOST', "db's host");`, { dbName: null, dbUser: null, dbHost: "db's host" }],
    ['commented-out lines are ignored', "// define('DB_NAME', 'old');\n# define('DB_NAME', 'older');\n * define('DB_NAME', 'doc');\ndefine('DB_NAME', 'live');", { dbName: 'live', dbUser: null, dbHost: null }],
    ['values from the environment are unknown', "define('DB_NAME', getenv('WP_DB'));", { dbName: null, dbUser: null, dbHost: null }],
    ['a socket host', "define('DB_HOST', 'localhost:/var/lib/mysql/mysql.sock');", { dbName: null, dbUser: null, dbHost: 'localhost:/var/lib/mysql/mysql.sock' }],
    ['garbage', '\0\0<?php ((((', { dbName: null, dbUser: null, dbHost: null }],
  ])('%s', (_, text, want) => {
    expect(parseWpConfig(text)).toEqual(want)
  })

  test('the first definition wins, as in PHP', () => {
    expect(parseWpConfig("define('DB_NAME', 'first');\ndefine('DB_NAME', 'second');").dbName).toBe('first')
  })
})

describe('webRoots', () => {
  test('vhost roots, each public_html under /home, and /var/www, without duplicates', () => {
    expect(webRoots(fixture('cpanel-host'), ['/home/alice/public_html', null, '/srv/site'])).toEqual([
      '/home/alice/public_html',
      '/srv/site',
      '/home/bob/public_html',
      '/var/www',
    ])
  })
})

describe('detectApps', () => {
  test('installs up to three levels down; deeper ones, skipped folders and symlinks are not searched', () => {
    const root = tempRoot([
      'var/www/html/wp-config.php',
      'var/www/a/b/c/wp-config.php',
      'var/www/a/b/c/d/wp-config.php',
      'var/www/html/node_modules/pkg/wp-config.php',
      'var/www/html/wp-content/backup/wp-config.php',
      'home/eve/public_html/blog/wp-config.php',
    ])
    try {
      symlinkSync(join(root, 'var/www'), join(root, 'var/www/html/loop'))
      expect(detectApps({ root }).map((a) => a.path)).toEqual(['/home/eve/public_html/blog', '/var/www/a/b/c', '/var/www/html'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('the same install reached from two web roots is listed once', () => {
    const root = tempRoot(['home/shop/public_html/wp-config.php'])
    try {
      expect(detectApps({ root, vhostRoots: ['/home/shop', '/home/shop/public_html/'] })).toHaveLength(1)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('a huge tree is not searched past its entry budget', () => {
    const root = tempRoot(['var/www/site/wp-config.php', ...Array.from({ length: 100 }, (_, i) => `var/www/d${i}/index.html`)])
    try {
      expect(detectApps({ root }).map((a) => a.path)).toEqual(['/var/www/site'])
      expect(detectApps({ root, maxEntries: 50 })).toEqual([])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  test('no web roots, no apps', () => {
    expect(detectApps({ root: fixture('plain-host') })).toEqual([])
  })
})
