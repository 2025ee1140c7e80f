// `bun run test:all`: every check the project has, in one run, ending with
// the line CI reads: "N passed, N failed".
//   1. the unit and integration suite on the embedded database (PGlite)
//   2. the same suite on PostgreSQL (TEST_DATABASE_URL, or the local server)
//   3. the XSS scan of the views and the type check, one check each
//   4. the end-to-end tests in Debian's chromium
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dir, '../..')
const out = resolve(root, '.test-output')
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

const DEFAULT_PG = 'postgres://postgres:postgres@127.0.0.1:5432/postgres'
type Tally = { name: string; passed: number; failed: number; skipped: number }
const tallies: Tally[] = []

function run(cmd: string[], env: Record<string, string> = {}): number {
  console.log(`\n$ ${cmd.join(' ')}`)
  const proc = Bun.spawnSync(cmd, { cwd: root, env: { ...process.env, ...env }, stdout: 'inherit', stderr: 'inherit' })
  return proc.exitCode ?? 1
}

/** Counts testcases in a JUnit file; a crashed runner with no file counts as one failure. */
function junit(name: string, file: string, exitCode: number) {
  if (!existsSync(file)) {
    tallies.push({ name, passed: 0, failed: 1, skipped: 0 })
    return
  }
  const xml = readFileSync(file, 'utf8')
  const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? []
  let failed = 0
  let skipped = 0
  for (const c of cases) {
    if (/<(failure|error)\b/.test(c)) failed++
    else if (/<skipped\b/.test(c)) skipped++
  }
  // A runner that failed outside any test (a crash in a hook, say) still fails the run.
  if (exitCode !== 0 && failed === 0) failed = 1
  tallies.push({ name, passed: cases.length - failed - skipped, failed, skipped })
}

function check(name: string, exitCode: number) {
  tallies.push({ name, passed: exitCode === 0 ? 1 : 0, failed: exitCode === 0 ? 0 : 1, skipped: 0 })
}

// Two workers: most of the suite's time is drills waiting on agents and
// delays, not CPU. --no-isolate keeps one embedded database per worker, as one
// process had before; the timings start the longest files first so the run
// does not end on one drill alone.
const bunTest = (file: string) => [
  'bun', 'test', '--timeout', '30000', '--parallel=2', '--no-isolate', '--timings=.ci/test-timings.json',
  '--reporter=junit', `--reporter-outfile=${file}`, './src', './agent',
]

// The compiled agent, built once before the suites: no test's setup pays for the build (about 20 s on two cores).
check('agent build', run(['bun', 'agent/build.ts', 'x64']))

const pgliteFile = resolve(out, 'unit-pglite.xml')
junit('unit (PGlite)', pgliteFile, run(bunTest(pgliteFile), { TEST_DATABASE_URL: '' }))

const pgFile = resolve(out, 'unit-postgres.xml')
junit('unit (PostgreSQL)', pgFile, run(bunTest(pgFile), { TEST_DATABASE_URL: process.env.TEST_DATABASE_URL || DEFAULT_PG }))

check('xss-scan', run(['bunx', 'xss-scan']))
check('typecheck', run(['bunx', 'tsc', '--noEmit']))

const e2eFile = resolve(out, 'e2e-junit.xml')
junit('e2e (chromium)', e2eFile, run(['node', 'node_modules/@playwright/test/cli.js', 'test']))

console.log('\nSummary')
for (const t of tallies) console.log(`  ${t.name}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`)
const sum = (k: 'passed' | 'failed' | 'skipped') => tallies.reduce((n, t) => n + t[k], 0)
console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') === 0 && sum('passed') > 0 ? 0 : 1)
