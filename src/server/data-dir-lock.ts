// PGlite has no lock between processes: two servers on one DATA_DIR would
// corrupt it. The first takes this lock file; a second refuses to start.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'
  }
}

export class DataDirLocked extends Error {}

export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, 'server.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 })
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file)
        } catch {}
      }
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (pid && pid !== process.pid && alive(pid)) {
        throw new DataDirLocked(`${dataDir} is in use by another serversctl server (pid ${pid}). Stop it first, or use another DATA_DIR.`)
      }
      // Left behind by a server that died: take it over.
      unlinkSync(file)
    }
  }
  throw new DataDirLocked(`could not take ${file}`)
}
