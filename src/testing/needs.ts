// Tests that need something from the machine (a program, a database server).
// Where it is missing the test is skipped by name with the reason printed;
// in CI, whose install step provides everything, a missing need fails the
// test instead, so a green CI never hides a check that did not run.
import { describe, test } from 'bun:test'

const inCi = () => ['1', 'true'].includes((process.env.CI ?? '').toLowerCase())

function announce(name: string, missing: string) {
  console.warn(`[skipped] ${name}: ${missing}`)
}

/** `test`, or a skip (a failure in CI) when `missing` says what is not there. */
export function testNeeding(missing: string | null) {
  return (name: string, fn: () => unknown, timeout?: number) => {
    if (!missing) return test(name, fn as () => void, timeout)
    if (inCi()) return test(name, () => { throw new Error(`CI must provide this: ${missing}`) })
    announce(name, missing)
    return test.skip(name, fn as () => void)
  }
}

/** `describe`, or a skipped block (a failing test in CI) when `missing` says what is not there. */
export function describeNeeding(missing: string | null) {
  return (name: string, fn: () => void) => {
    if (!missing) return describe(name, fn)
    if (inCi()) return describe(name, () => { test('its requirements', () => { throw new Error(`CI must provide this: ${missing}`) }) })
    announce(name, missing)
    return describe.skip(name, fn)
  }
}

/** Why `bin` cannot be run, or null when it is on the PATH. */
export const missingProgram = (bin: string, pkg: string): string | null =>
  Bun.which(bin) ? null : `${bin} is not installed (Debian package ${pkg}; .ci/install-test-deps.sh installs it)`

/** The PostgreSQL that tests use: TEST_DATABASE_URL, or the machine's own server. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres'

/** Why PostgreSQL at TEST_POSTGRES_URL cannot be reached, or null. */
export async function missingPostgres(): Promise<string | null> {
  const postgres = (await import('postgres')).default
  const sql = postgres(TEST_POSTGRES_URL, { max: 1, connect_timeout: 3, onnotice: () => {} })
  try {
    await sql`select 1`
    return null
  } catch (err) {
    return `PostgreSQL at ${new URL(TEST_POSTGRES_URL).host} is unreachable (${(err as Error).message})`
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
}

/** Why the machine's MariaDB cannot be queried with the `mariadb` client, or null. */
export function missingMariaDb(): string | null {
  if (!Bun.which('mariadb')) return 'the mariadb client is not installed'
  const probe = Bun.spawnSync(['mariadb', '-e', 'select 1'])
  return probe.exitCode === 0 ? null : `the local MariaDB does not answer as root (${probe.stderr.toString().trim()})`
}
