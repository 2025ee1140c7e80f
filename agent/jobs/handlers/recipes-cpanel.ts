// cPanel & WHM: installed by cPanel's own installer, and hardened with
// cPanel's own tools (whmapi1 and its scripts), never by editing its files.
import { detectCpanel } from '../../detect/cpanel'
import { detectOs } from '../../detect/os'
import { whmapi } from '../../cpanel/tools'
import { cpanelSupportedText, cpanelSupports } from '../cpanel-support'
import { JobFailure, type JobHandler } from '../types'
import { ensurePrograms, fetchInstaller, requireClean, stepper } from './common'

// whmapi lives with cPanel's other tools; recipes.ts imports it from here.
export { whmapi }

export const CPANEL_INSTALLER = 'https://securedownloads.cpanel.net/latest'

// cPanel's instructions run the installer from /home, which has room for what
// it unpacks; this shell line is fixed and takes nothing from the job.
const RUN_INSTALLER = 'cd /home && exec sh latest'

export const installCpanel: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.install_cpanel')

  step('Check that this is a clean, supported server')
  const os = detectOs(ctx.root)
  if (!cpanelSupports(os)) {
    throw new JobFailure(`cPanel installs only on ${cpanelSupportedText()}; this server runs ${os.prettyName ?? os.id ?? 'an unknown OS'}.`)
  }
  requireClean(ctx, 'cPanel', ['cpanel', 'openlitespeed', 'mariadb'])
  const hostname = (await ctx.exec(['hostname', '-f'], { quiet: true })).stdout.trim()
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(hostname)) {
    throw new JobFailure(`cPanel needs a fully qualified hostname (like server1.example.com); this server's is "${hostname}". Set it with hostnamectl first.`)
  }
  ctx.log(`${os.prettyName ?? os.id}, hostname ${hostname}.`)

  step('Install prerequisites')
  await ensurePrograms(ctx, { perl: 'perl' })

  step("Download cPanel's installer")
  await fetchInstaller(ctx, CPANEL_INSTALLER, 'home/latest')

  step('Run the installer')
  ctx.log('This takes 30 to 60 minutes; its output follows.')
  await ctx.exec(['sh', '-c', RUN_INSTALLER])

  step('Check that WHM answers')
  const cpanel = detectCpanel(ctx.root)
  if (!cpanel?.version) throw new JobFailure('The installer finished, but /usr/local/cpanel/version is missing; see /var/log/cpanel-install.log.')
  ctx.log(`cPanel & WHM ${cpanel.version} is installed. Finish its setup at https://${hostname}:2087/ and add a WHM API token to the pool.`)
  ctx.result({ version: cpanel.version, whm: `https://${hostname}:2087/` })
}

/** cPanel's Security Advisor's advice that can be applied without choices to make. */
export const CPANEL_TWEAKS: [string, string][] = [
  ['referrersafety', '1'],
  ['referrerblanksafety', '1'],
  ['cookieipvalidation', 'strict'],
]

export const hardenCpanel: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.harden_cpanel')

  step('Check that cPanel is installed')
  const cpanel = detectCpanel(ctx.root)
  if (!cpanel) throw new JobFailure('cPanel is not installed on this server.')
  ctx.log(`cPanel ${cpanel.version ?? '(version unknown)'}.`)

  step('Turn on cPHulk brute-force protection')
  await whmapi(ctx, 'enable_cphulk', [], { allowReason: /already/i })

  step('Tighten WHM security settings')
  for (const [key, value] of CPANEL_TWEAKS) {
    await whmapi(ctx, 'set_tweaksetting', [`key=${key}`, `value=${value}`])
    ctx.log(`Tweak setting ${key} = ${value}.`)
  }

  step('Turn on shell fork bomb protection')
  await ctx.exec(['/usr/local/cpanel/bin/install-login-profile', '--install', 'limits'])

  step('Turn off compilers for unprivileged users')
  await ctx.exec(['/scripts/compilers', 'off'])
}
