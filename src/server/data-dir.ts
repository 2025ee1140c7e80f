// DATA_DIR holds the embedded database and the key that opens every sealed
// secret: no other local user may read it, and none may write to it (who can
// write there can swap the key file or the database under the server).
import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export class UnsafeDataDir extends Error {}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0')

/**
 * Creates the directory 0700 when it is missing and refuses one that other
 * users can write to. Returns a warning when others can still read it (a
 * directory made by an older version, or by hand).
 */
export function prepareDataDir(dir: string): string | null {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const { mode } = statSync(dir)
  if (mode & 0o022) {
    throw new UnsafeDataDir(
      `DATA_DIR ${dir} can be written by other users (mode ${octal(mode)}), who could replace its key file or database. ` +
        `Make it private with "chmod 700 ${dir}" (at least "chmod go-w ${dir}") and start again.`,
    )
  }
  if (mode & 0o077) {
    return `DATA_DIR ${dir} can be read by other users (mode ${octal(mode)}), and with it the database and the key file. Run "chmod 700 ${dir}".`
  }
  return null
}

/**
 * Takes group and other permissions off everything inside the directory. The
 * embedded database unpacks its first files world-writable (0666) whatever the
 * umask, and directories made by older versions hold 0644 files.
 */
export function closeToOthers(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const st = lstatSync(path)
    if (st.isSymbolicLink()) continue
    if (st.mode & 0o077) chmodSync(path, st.mode & 0o700)
    if (st.isDirectory()) closeToOthers(path)
  }
}

/** Only the embedded database and the key file live in DATA_DIR. */
export function usesDataDir(config: { databaseUrl: string | null; secretKey: string | null }): boolean {
  return !config.databaseUrl || !config.secretKey
}
