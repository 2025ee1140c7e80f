// Restarting one of the stack services the heartbeat reported.
import { JobFailure, type JobHandler } from '../types'
import { checked, unitState } from './common'

export const serviceRestart: JobHandler = async (ctx) => {
  const unit = checked('unit', ctx.params.unit, 'the unit name')
  ctx.step(0)
  await ctx.exec(['systemctl', 'restart', '--', unit])
  // restart returns once the unit was started; a unit that dies at once shows only here.
  const now = await unitState(ctx, unit)
  if (now !== 'active') throw new JobFailure(`${unit} did not stay up after the restart (it is ${now}); see journalctl -u ${unit}.`)
  ctx.log(`${unit} is active.`)
}
