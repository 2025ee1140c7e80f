// A helper that must run under Bun (its servers use Bun.serve), started from a
// spec, which runs under Node: it prints one JSON line when ready and stops
// when its stdin closes, that is when the spec stops it or dies.
import { spawn } from 'node:child_process'
import { APP_ROOT } from './server'

export type BunChild<T> = T & { stop: () => Promise<void> }

export async function startBunChild<T>(what: string, script: string, args: string[]): Promise<BunChild<T>> {
  const child = spawn('bun', [script, ...args], { cwd: APP_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let errors = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (errors += s))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const line = await new Promise<string>((done, fail) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s
      if (out.includes('\n')) done(out.split('\n')[0]!)
    })
    void exited.then(() => fail(new Error(`${what} did not start:\n${errors}`)))
  })
  const stop = async () => {
    child.stdin!.end()
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    child.kill('SIGKILL')
    process.off('exit', killOnExit)
  }
  return { ...(JSON.parse(line) as T), stop }
}
