// No container engine runs where the tests do: these keep the Dockerfile,
// compose.yaml and the Caddyfile true to the code they package.
import { describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { healthzUrl } from '../../deploy/healthcheck'
import { testServer } from '../testing/harness'

const root = resolve(import.meta.dir, '../..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

type Instruction = { stage: string; op: string; args: string }

/** The Dockerfile as instructions, each tagged with the stage it belongs to. */
function dockerfile(): Instruction[] {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  let stage = ''
  return lines.map((line) => {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line)!
    if (op === 'FROM') stage = / AS (\S+)$/i.exec(args)?.[1] ?? ''
    return { stage, op: op.toUpperCase(), args }
  })
}

const stageOf = (name: string) => dockerfile().filter((i) => i.stage === name)
const only = (name: string, op: string) => stageOf(name).filter((i) => i.op === op)
const envOf = (name: string) => Object.fromEntries(only(name, 'ENV').flatMap((i) => i.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])))
const COPY_FLAGS = /^--\S+\s+/

/** What a COPY line takes and where it puts it. */
function copyOf(args: string): { from: string | null; sources: string[]; dest: string } {
  let rest = args
  let from: string | null = null
  while (COPY_FLAGS.test(rest)) {
    const flag = COPY_FLAGS.exec(rest)![0]
    from = /^--from=(\S+)/.exec(flag)?.[1] ?? from
    rest = rest.slice(flag.length)
  }
  const parts = rest.split(/\s+/)
  return { from, sources: parts.slice(0, -1), dest: parts.at(-1)! }
}

/** The commands CI runs (.ci/run) and the package.json scripts, as `bun run <name>`. */
function knownBunCommands(): Set<string> {
  const ci = read('.ci/run').split('\n').map((l) => l.trim().replace(/\s*\|\|.*$/, '')).filter((l) => l.startsWith('bun '))
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts).map((s) => `bun run ${s}`)
  return new Set([...ci, ...scripts])
}

/** Top-level repo entries the server's own code reaches by relative import or path. */
function reachedFromSrc(): Set<string> {
  const reached = new Set<string>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$|bench/.test(entry.name) && !path.includes('/testing/')) {
        const text = readFileSync(path, 'utf8')
        for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'|import\.meta\.dir, '([^']+)'/g)) {
          const top = relative(root, resolve(dirname(path), m[1] ?? m[2]!)).split('/')[0]!
          if (top && !top.startsWith('..')) reached.add(top)
        }
      }
    }
  }
  walk(join(root, 'src'))
  return reached
}

describe('Dockerfile', () => {
  test('it builds in stages on the official Bun image, at the Bun the tests run on', () => {
    const froms = dockerfile().filter((i) => i.op === 'FROM')
    expect(froms.map((f) => f.stage)).toEqual(['deps', 'prod-deps', 'build', 'runtime'])
    const version = /^ARG BUN_VERSION=(\S+)$/m.exec(read('Dockerfile'))?.[1]
    // Major.minor: CI may install a newer patch release than this machine has.
    expect(version?.split('.').slice(0, 2)).toEqual(Bun.version.split('.').slice(0, 2))
    for (const from of froms) expect(from.args).toMatch(/^(oven\/bun:\$\{BUN_VERSION\}-(debian|slim)|deps) AS /)
  })

  test('every bun command it runs is one CI or package.json runs too', () => {
    const known = knownBunCommands()
    const runs = dockerfile().filter((i) => i.op === 'RUN' && i.args.startsWith('bun '))
    expect(runs.map((r) => r.args)).toContain('bun run build:agent')
    // --production only leaves dev tools out of the same install.
    for (const run of runs) expect(known).toContain(run.args.replace(/ --production$/, ''))
  })

  test('it runs as a fixed non-root user who owns a private /data, which is DATA_DIR and a volume', () => {
    const user = only('runtime', 'USER').at(-1)?.args
    expect(user).toBe('10001:10001')
    const setup = only('runtime', 'RUN').map((r) => r.args).join(' ')
    expect(setup).toContain('--uid 10001 --gid 10001')
    expect(setup).toContain('install -d -m 0700 -o 10001 -g 10001 /data')
    expect(envOf('runtime')).toMatchObject({ DATA_DIR: '/data', HOST: '0.0.0.0', PORT: '3000' })
    expect(only('runtime', 'VOLUME').map((v) => v.args)).toEqual(['["/data"]'])
    expect(only('runtime', 'EXPOSE').map((v) => v.args)).toEqual(['3000'])
  })

  test('the server is PID 1 in exec form, stops on SIGTERM and keeps the tested error messages', () => {
    expect(only('runtime', 'CMD').map((c) => c.args)).toEqual(['["bun", "src/server/main.ts"]'])
    expect(only('runtime', 'STOPSIGNAL').map((c) => c.args)).toEqual(['SIGTERM'])
    expect(envOf('runtime').NODE_ENV).toBeUndefined()
  })

  test('its HEALTHCHECK runs the script that asks /healthz, with no shell', () => {
    const check = only('runtime', 'HEALTHCHECK').map((h) => h.args)
    expect(check).toHaveLength(1)
    expect(check[0]).toEndWith('CMD ["bun", "deploy/healthcheck.ts"]')
    expect(healthzUrl({ PORT: '3000', HOST: '0.0.0.0' })).toBe('http://127.0.0.1:3000/healthz')
    expect(healthzUrl({})).toBe('http://127.0.0.1:3000/healthz')
    expect(healthzUrl({ PORT: '8081', HOST: '::1' })).toBe('http://[::1]:8081/healthz')
  })

  test('what it copies exists and is not kept out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    const stages = new Set(dockerfile().map((i) => i.stage))
    for (const copy of dockerfile().filter((i) => i.op === 'COPY').map((i) => copyOf(i.args))) {
      if (copy.from) {
        expect(stages).toContain(copy.from)
        continue
      }
      for (const source of copy.sources) {
        expect(existsSync(join(root, source))).toBe(true)
        expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toEqual([])
      }
    }
    for (const never of ['.git', 'node_modules', 'dist', 'data', '.env']) expect(ignored).toContain(never)
  })

  test('the image holds everything the server reaches outside src/, and the agents where it serves them from', () => {
    const runtime = only('runtime', 'COPY').map((c) => copyOf(c.args))
    const inImage = new Set(runtime.flatMap((c) => (c.dest.endsWith('/') ? c.sources : [c.dest.replace(/^\.\//, '')])).map((p) => p.split('/')[0]!))
    for (const top of reachedFromSrc()) expect({ top, inImage: inImage.has(top) }).toEqual({ top, inImage: true })
    expect(runtime).toContainEqual({ from: 'build', sources: ['/app/dist/agent'], dest: './dist/agent' })
    expect(read('agent/build.ts')).toContain("resolve(root, 'dist/agent')")
    expect(read('src/agent-api/downloads.ts')).toContain("'../../dist/agent'")
  })
})

describe('the HEALTHCHECK script against a real server', () => {
  // Not spawnSync: the server under test answers from this same event loop.
  const run = async (port: number) => {
    const proc = Bun.spawn([process.execPath, join(root, 'deploy/healthcheck.ts')], { env: { ...process.env, PORT: String(port), HOST: '0.0.0.0' } })
    const code = await proc.exited
    return { code, out: (await new Response(proc.stdout).text()).trim() }
  }

  test('healthy on 200, unhealthy with the reason while draining or when nothing listens', async () => {
    const server = await testServer()
    try {
      const port = Number(new URL(server.serve()).port)
      expect(await run(port)).toEqual({ code: 0, out: `http://127.0.0.1:${port}/healthz answered 200 (ok)` })
      server.lifecycle.drain()
      expect(await run(port)).toEqual({ code: 1, out: `http://127.0.0.1:${port}/healthz answered 503 (draining: The server is stopping: finishing the requests in flight)` })
    } finally {
      await server.close()
    }
    const closed = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
    const port = closed.port!
    await closed.stop(true)
    const down = await run(port)
    expect(down.code).toBe(1)
    expect(down.out).toStartWith(`http://127.0.0.1:${port}/healthz did not answer:`)
  })
})

describe('compose.yaml', () => {
  const compose = Bun.YAML.parse(read('compose.yaml')) as {
    services: Record<string, { image?: string; build?: string; ports?: string[]; environment?: Record<string, string>; healthcheck?: { test: string[] }; volumes?: string[]; depends_on?: Record<string, { condition: string }>; stop_grace_period?: string; networks?: Record<string, { ipv4_address?: string }> | string[] }>
    volumes: Record<string, unknown>
  }
  const apps = Object.entries(compose.services).filter(([, s]) => s.build === '.')
  const configReads = new Set([...read('src/config/index.ts').matchAll(/env\.([A-Z0-9_]+)/g)].map((m) => m[1]!))

  test('it has PostgreSQL with a health check and a named volume, and two replicas of this image waiting for it', () => {
    const pg = compose.services.postgres!
    expect(pg.image).toStartWith('postgres:')
    expect(pg.healthcheck?.test.join(' ')).toContain('pg_isready')
    expect(Object.keys(compose.volumes)).toContain(pg.volumes![0]!.split(':')[0]!)
    expect(apps.map(([name]) => name)).toEqual(['app1', 'app2'])
    for (const [, app] of apps) {
      expect(app.depends_on?.postgres).toEqual({ condition: 'service_healthy' })
      expect(app.ports).toBeUndefined()
      expect(Number.parseInt(app.stop_grace_period!)).toBeGreaterThanOrEqual(30)
    }
  })

  test('the replicas share the database, the SECRET_KEY and the objects folder, and read only variables the server knows', () => {
    const [[, a], [, b]] = apps as [[string, (typeof apps)[0][1]], [string, (typeof apps)[0][1]]]
    expect(a.environment).toEqual(b.environment!)
    expect(a.volumes).toEqual(b.volumes!)
    expect(a.volumes).toEqual(['objects:/data'])
    const env = a.environment!
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/serversctl:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/serversctl$/)
    // Required, not defaulted: a replica with a key of its own could not open the other's secrets.
    expect(env.SECRET_KEY).toStartWith('${SECRET_KEY:?')
    expect(env.PUBLIC_URL).toBeDefined()
    for (const name of Object.keys(env)) expect({ name, readByConfig: configReads.has(name) }).toEqual({ name, readByConfig: true })
  })

  test('one published port, on the proxy the replicas trust, which balances both by /healthz', () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length)
    expect(published.map(([name, s]) => [name, s.ports!.length])).toEqual([['proxy', 1]])
    const proxy = compose.services.proxy!
    const proxyIp = (proxy.networks as Record<string, { ipv4_address?: string }>).serversctl?.ipv4_address
    expect(apps[0]![1].environment!.TRUST_PROXY).toBe(proxyIp!)
    expect(proxy.ports![0]).toEndWith(':80')
    const caddyfile = read('deploy/Caddyfile')
    expect(caddyfile).toContain(`reverse_proxy ${apps.map(([name]) => `${name}:3000`).join(' ')} {`)
    expect(caddyfile).toMatch(/health_uri \/healthz\n/)
    expect(caddyfile).toContain(':80 {')
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro')
  })
})
