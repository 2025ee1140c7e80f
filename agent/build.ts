// `bun run build:agent`: one self-contained binary per architecture, with the
// version from package.json built in.
import { existsSync, mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import pkg from '../package.json'

const root = resolve(import.meta.dir, '..')
const outDir = resolve(root, 'dist/agent')
mkdirSync(outDir, { recursive: true })

const targets = [
  { target: 'bun-linux-x64', file: 'serversctl-agent-linux-x64' },
  { target: 'bun-linux-arm64', file: 'serversctl-agent-linux-arm64' },
]

// `--if-missing`: build only what is not there yet (the server start does this).
const ifMissing = process.argv.includes('--if-missing')
const only = process.argv.slice(2).find((a) => !a.startsWith('--'))
for (const { target, file } of targets) {
  if (only && !target.endsWith(only)) continue
  if (ifMissing && existsSync(resolve(outDir, file))) continue
  const started = performance.now()
  const proc = Bun.spawnSync(
    [
      process.execPath, 'build', '--compile', '--minify', `--target=${target}`,
      `--define=AGENT_VERSION=${JSON.stringify(pkg.version)}`,
      resolve(root, 'agent/main.ts'), '--outfile', resolve(outDir, file),
    ],
    { stdout: 'inherit', stderr: 'inherit' },
  )
  if (proc.exitCode !== 0) process.exit(proc.exitCode ?? 1)
  console.log(`built dist/agent/${file} in ${Math.round(performance.now() - started)} ms`)
}
