// pkgacct and restorepkg as cPanel's documentation describes them
// (docs.cpanel.net, "The pkgacct Script", "The restorepkg Script"):
//   pkgacct [options] USER [ARCHIVE-DIRECTORY]     writes cpmove-USER.tar.gz there (default /home);
//                                                   --nocompress: cpmove-USER.tar, not gzipped
//   restorepkg [--force] [options] FILE|USER        restores from a cpmove archive, .tar.gz or .tar
// They print text, not JSON, and exit non-zero when they fail.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { hostRoot, packageAccount, Refusal, restoreArchive, VALID_USER } from './fakehost'

type Run = { out: string; err: string; code: number }

/** Its lines on stdout; a refusal as the tool's last line (prefixed as that tool words it) and exit code 1. */
function collect(fn: (say: (line: string) => void) => void, failedPrefix = ''): Run {
  const lines: string[] = []
  const text = () => lines.map((l) => `${l}\n`).join('')
  try {
    fn((line) => lines.push(line))
    return { out: text(), err: '', code: 0 }
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    if (failedPrefix) return (lines.push(`${failedPrefix}${err.message}`), { out: text(), err: '', code: 1 })
    return { out: text(), err: `${err.message}\n`, code: 1 }
  }
}

export function pkgacct(args: string[]): Run {
  const [user, dir] = args.filter((a) => !a.startsWith('-'))
  // The last of --compress (the default) and --nocompress wins.
  const compress = args.filter((a) => a === '--compress' || a === '--nocompress').at(-1) !== '--nocompress'
  const root = hostRoot()
  return collect((say) => {
    if (!user) throw new Refusal('Usage: pkgacct [options] USER [ARCHIVE-DIRECTORY]')
    if (!VALID_USER.test(user)) throw new Refusal(`pkgacct: “${user}” is not a cPanel user.`)
    say('pkgacct started.')
    say(`pkgacct version 10 - user : ${user} - tarball: 1 - target mysql : default - split: 0 - incremental: 0 - homedir: 1 - archive version: 4`)
    const archive = packageAccount(root, user, dir ?? join(root, 'home'), say, { compress })
    say(`pkgacct completed: ${archive}`)
  })
}

export function restorepkg(args: string[]): Run {
  const force = args.includes('--force')
  const [target] = args.filter((a) => !a.startsWith('-'))
  const root = hostRoot()
  return collect((say) => {
    if (!target) throw new Refusal('Usage: restorepkg [options] FILE|USER')
    // A test's switch: restorepkg refuses (before touching anything) while this file holds a reason.
    const refusal = join(root, 'var/cpanel/standin/restorepkg.fail')
    if (existsSync(refusal)) throw new Refusal(readFileSync(refusal, 'utf8').trim() || 'restore refused')
    // A user name means its archive where pkgacct leaves it by default, compressed or not.
    const named = (ext: string) => join(root, 'home', `cpmove-${target}${ext}`)
    const archive = target.includes('/') ? target : existsSync(named('.tar.gz')) ? named('.tar.gz') : named('.tar')
    const user = restoreArchive(root, archive, { force }, say)
    say(`Account Restore Complete: “${user}”`)
  }, 'Account Restore Failed: ')
}
