// What export and import share: their arguments, the passphrase, and opening
// the server's database the way the server does (same environment, same
// migrations, the same DATA_DIR lock).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig, type Config } from '../config'
import { openDatabase, type Database } from '../db'
import { DataDirLocked, lockDataDir } from '../server/data-dir-lock'
import { closeToOthers, prepareDataDir, UnsafeDataDir, usesDataDir } from '../server/data-dir'
import { loadSecretKey, secretBox, type SecretBox } from '../crypto/secret-box'
import { MIN_PASSPHRASE, PortableError } from './envelope'

export type Args = { file: string; passphraseFile: string | null }

/** `fileFlag`: --out for export, --in for import. */
export function parseArgs(argv: string[], fileFlag: '--out' | '--in', usage: string): Args {
  let file: string | null = null
  let passphraseFile: string | null = null
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null]
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new PortableError(`${flag} needs a value\n${usage}`, 2)
      return v
    }
    if (flag === fileFlag) file = value()
    else if (flag === '--passphrase-file') passphraseFile = value()
    else if (flag === '--passphrase') {
      throw new PortableError('the passphrase is never taken on the command line (other users see it in ps): use --passphrase-file PATH or EXPORT_PASSPHRASE, or type it when asked', 2)
    } else if (flag === '--help' || flag === '-h') throw new PortableError(usage, 0)
    else throw new PortableError(`unknown argument ${arg}\n${usage}`, 2)
  }
  if (!file) throw new PortableError(`${fileFlag} FILE is required\n${usage}`, 2)
  return { file, passphraseFile }
}

/**
 * From --passphrase-file, else EXPORT_PASSPHRASE, else asked on the terminal
 * (twice when choosing one). `choosing`: export, where a short one is refused.
 */
export async function getPassphrase(args: Args, choosing: boolean, env = process.env): Promise<string> {
  let passphrase: string
  if (args.passphraseFile) {
    try {
      passphrase = readFileSync(args.passphraseFile, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw new PortableError(`could not read the passphrase file: ${(err as Error).message}`, 2)
    }
    if (!passphrase) throw new PortableError(`${args.passphraseFile} is empty: it should hold the passphrase`, 2)
  } else if (env.EXPORT_PASSPHRASE) {
    passphrase = env.EXPORT_PASSPHRASE
  } else if (process.stdin.isTTY) {
    passphrase = await askHidden('Passphrase: ')
    if (choosing && passphrase.length >= MIN_PASSPHRASE && (await askHidden('Passphrase again: ')) !== passphrase) {
      throw new PortableError('the two passphrases differ; nothing was written', 2)
    }
  } else {
    throw new PortableError('no passphrase: give --passphrase-file PATH or set EXPORT_PASSPHRASE (or run it on a terminal to be asked)', 2)
  }
  if (choosing && [...passphrase].length < MIN_PASSPHRASE) {
    throw new PortableError(`the passphrase must be at least ${MIN_PASSPHRASE} characters: it is all that protects the fleet's secrets in the file`, 2)
  }
  return passphrase
}

function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(prompt)
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  stdin.resume()
  return new Promise((resolve, reject) => {
    let value = ''
    const finish = () => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish()
          return resolve(value)
        }
        if (ch === '\u0003') {
          finish()
          return reject(new PortableError('cancelled', 130))
        }
        value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch
      }
    }
    stdin.on('data', onData)
  })
}

export type Opened = { config: Config; database: Database; secrets: SecretBox; close: () => Promise<void> }

/**
 * The server's database, as `bun run start` opens it. The embedded one takes
 * the DATA_DIR lock: a running server holds it, and two processes on one
 * PGlite directory would corrupt it. `mustExist`: export, which has nothing
 * to read from a directory the server never used.
 */
export async function openServerDatabase(mustExist: boolean, env = process.env): Promise<Opened> {
  process.umask(0o077)
  const config = loadConfig(env)
  if (mustExist && !config.databaseUrl && !existsSync(join(config.dataDir, 'db', 'pgdata', 'PG_VERSION'))) {
    throw new PortableError(`there is no serversctl database in ${config.dataDir}: set DATA_DIR (or DATABASE_URL) as the server has it`)
  }
  if (mustExist && !config.secretKey && !existsSync(join(config.dataDir, 'secret.key'))) {
    throw new PortableError(`there is no secret.key in ${config.dataDir} and SECRET_KEY is not set: give the export the key the server runs with, or its secrets cannot be opened`)
  }
  if (usesDataDir(config)) prepareDataDir(config.dataDir)
  let unlock = () => {}
  if (!config.databaseUrl) {
    try {
      unlock = lockDataDir(config.dataDir)
    } catch (err) {
      if (err instanceof DataDirLocked) throw new PortableError(`stop the server first: ${err.message}`)
      throw err
    }
  }
  try {
    const database = await openDatabase(config)
    if (usesDataDir(config)) closeToOthers(config.dataDir)
    const secrets = secretBox(loadSecretKey(config.secretKey, config.dataDir))
    return {
      config,
      database,
      secrets,
      close: async () => {
        await database.close()
        unlock()
      },
    }
  } catch (err) {
    unlock()
    throw err
  }
}

/** Runs a command: a PortableError or a bad setting is one line and its exit code, anything else its stack. */
export function run(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      if (err instanceof PortableError && err.exitCode === 0) {
        console.log(err.message)
        process.exit(0)
      }
      if (err instanceof PortableError || err instanceof ConfigError || err instanceof UnsafeDataDir) {
        console.error(`error: ${err.message}`)
        process.exit(err instanceof PortableError ? err.exitCode : 2)
      }
      console.error(err)
      process.exit(1)
    },
  )
}

export function formatCounts(counts: Record<string, number>): string {
  const width = Math.max(...Object.keys(counts).map((k) => k.length))
  return Object.entries(counts)
    .map(([name, n]) => `  ${name.padEnd(width)}  ${n.toLocaleString('en-US')}`)
    .join('\n')
}
