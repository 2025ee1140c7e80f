// cPanel's services through WHM: a restart, and a configuration check that
// reports what it finds. The check fails only when WHM does not answer; a
// stopped service or a web server configuration that does not parse is a
// finding, in its result and output, not a failed job.
import { CPANEL_SERVICES } from '../../cpanel/protocol'
import { whmapi } from '../../cpanel/tools'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { stepper } from './common'
import { cpanelService } from './cpanel-common'

export const serviceRestart: JobHandler = async (ctx) => {
  const service = cpanelService(ctx.params.service)
  stepper(ctx, 'cpanel.service.restart')('Restart the service through WHM')
  const data = await whmapi<{ output?: string }>(ctx, 'restartservice', { service })
  for (const line of String(data.output ?? '').split('\n')) if (line.trim()) ctx.log(line.replace(/<[^>]*>/g, '').trimEnd())
  ctx.log(`WHM restarted ${CPANEL_SERVICES[service]} (${service}).`)
  ctx.result({ service })
}

export type ServiceStatus = { name: string; enabled: boolean; running: boolean }
export type WebCheck = { ok: boolean | null; message: string }
export type ConfigCheck = { version: string; services: ServiceStatus[]; web: WebCheck; problems: string[] }

/** EasyApache 4 installs apachectl in /usr/sbin; older builds kept Apache under /usr/local/apache. */
const APACHE_DIRS = ['/usr/sbin', '/usr/local/apache/bin']
const ALL_EXIT_CODES = Array.from({ length: 256 }, (_, i) => i)

async function webServerCheck(ctx: JobContext): Promise<WebCheck> {
  const apachectl = Bun.which('apachectl', { PATH: [process.env.PATH ?? '', ...APACHE_DIRS].filter(Boolean).join(':') })
  if (!apachectl) return { ok: null, message: 'No Apache (apachectl) on this server: the web server configuration was not tested.' }
  const res = await ctx.exec([apachectl, '-t'], { quiet: true, okCodes: ALL_EXIT_CODES })
  const lines = `${res.stderr}\n${res.stdout}`.split('\n').map((l) => l.trim()).filter(Boolean)
  if (res.code === 0) return { ok: true, message: lines.find((l) => /syntax ok/i.test(l)) ?? 'Syntax OK' }
  return { ok: false, message: lines.at(-1) ?? `apachectl -t exited with code ${res.code}` }
}

export const configCheck: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'cpanel.config.check')
  const problems: string[] = []

  step('Ask WHM for its version')
  const version = String((await whmapi<{ version?: string }>(ctx, 'version')).version ?? '')
  if (!version) throw new JobFailure('WHM answered without its version.')
  ctx.log(`cPanel & WHM ${version}.`)

  step("Check cPanel's services")
  let services: ServiceStatus[] = []
  try {
    const data = await whmapi<{ service?: { name?: string; enabled?: unknown; running?: unknown; installed?: unknown }[] }>(ctx, 'servicestatus')
    services = (data.service ?? [])
      .filter((s) => typeof s.name === 'string' && Number(s.installed ?? 1) === 1)
      .map((s) => ({ name: s.name!, enabled: Number(s.enabled) === 1, running: Number(s.running) === 1 }))
  } catch (err) {
    // WHM answered (it gave its version); a refusal here is a finding like any other.
    if (!(err instanceof JobFailure) || ctx.signal.aborted) throw err
    problems.push(err.message)
  }
  for (const s of services) if (s.enabled && !s.running) problems.push(`${s.name} is enabled but not running.`)
  const running = services.filter((s) => s.running).length
  ctx.log(`${running} of ${services.length} services running${services.some((s) => s.enabled && !s.running) ? `; not running: ${services.filter((s) => s.enabled && !s.running).map((s) => s.name).join(', ')}` : ''}.`)

  step('Check the web server configuration')
  const web = await webServerCheck(ctx)
  if (web.ok === false) problems.push(`The web server configuration does not parse: ${web.message}`)
  ctx.log(web.ok === null ? web.message : `Web server configuration: ${web.message}`)

  for (const p of problems) ctx.log(`Problem: ${p}`)
  if (!problems.length) ctx.log('No problems found.')
  ctx.result({ version, services, web, problems } satisfies ConfigCheck)
}
