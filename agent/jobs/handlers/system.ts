// Package updates, reboot and shutdown.
import { parseAptUpgrade, parseCheckUpdate, parseSecurityList } from '../../collect/updates'
import type { JobHandler } from '../types'
import { APT_ENV, packageTool, refreshArgv } from './common'

export const updatesCheck: JobHandler = async (ctx) => {
  const tool = packageTool(ctx)
  ctx.step(0)
  if (tool === 'apt') {
    await ctx.exec(['apt-get', 'update'], { env: APT_ENV })
    const sim = await ctx.exec(['apt-get', '-s', 'upgrade'], { env: APT_ENV, quiet: true })
    const { pending, security } = parseAptUpgrade(sim.stdout)
    ctx.log(`${pending} package${pending === 1 ? '' : 's'} can be upgraded, ${security} from security updates.`)
    return ctx.result({ upgradable: pending, security })
  }
  // check-update exits 100 when there are updates, 0 when there are none.
  const res = await ctx.exec([tool, 'check-update', '-q'], { okCodes: [0, 100], quiet: true })
  const upgradable = res.code === 0 ? 0 : parseCheckUpdate(res.stdout)
  // Security metadata is optional (a repo may not publish it): unknown, not a failure.
  const sec = await ctx.exec([tool, '-q', 'updateinfo', 'list', '--security'], { okCodes: [0, 1], quiet: true })
  const security = sec.code === 0 ? parseSecurityList(sec.stdout) : null
  ctx.log(`${upgradable} package${upgradable === 1 ? '' : 's'} can be upgraded${security === null ? '' : `, ${security} from security updates`}.`)
  ctx.result({ upgradable, security })
}

export const updatesInstall: JobHandler = async (ctx) => {
  const tool = packageTool(ctx)
  ctx.step(0)
  await ctx.exec(...refreshArgv(tool))
  ctx.step(1)
  if (tool === 'apt') {
    // Keep the admin's edited config files (confold) and take the package's for untouched ones (confdef).
    await ctx.exec(
      ['apt-get', 'upgrade', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'],
      { env: APT_ENV },
    )
  } else {
    await ctx.exec([tool, 'upgrade', '-y'])
  }
}

// A minute's delay lets the agent report the job as done before the machine
// goes away, and warns anyone logged in; `shutdown` is systemd's on both families.
export const reboot: JobHandler = async (ctx) => {
  ctx.step(0)
  await ctx.exec(['shutdown', '-r', '+1', 'serversctl: reboot requested from the control plane'])
  ctx.log('The server reboots in one minute.')
}

export const shutdown: JobHandler = async (ctx) => {
  ctx.step(0)
  await ctx.exec(['shutdown', '-P', '+1', 'serversctl: shutdown requested from the control plane'])
  ctx.log('The server powers off in one minute. Starting it again needs your provider\'s console.')
}
