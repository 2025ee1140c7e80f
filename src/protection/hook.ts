// The pool's post-failover hook: one shell line the standby's agent runs after
// a protected account's DNS was cut to it, with the account and its domains
// as arguments. Set by the pool's operators, audited.
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { badInput } from '../http/errors'
import { getPool } from '../pools/service'
import * as hookStore from './hook-store'

export const HOOK_MAX = 2000

/** The command as kept: trimmed, null when empty; one line, as the job takes it. */
export function checkHookCommand(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null
  if (typeof raw !== 'string') throw badInput('The hook is a shell command, or null for none', 'command')
  const command = raw.trim()
  if (!command) return null
  if (command.length > HOOK_MAX) throw badInput(`The hook must be at most ${HOOK_MAX} characters`, 'command')
  if (/[\x00\n\r]/.test(command)) throw badInput('The hook must be one line: call a script for more', 'command')
  return command
}

export async function getHookCommand(db: Db, poolId: string): Promise<string | null> {
  await getPool(db, poolId)
  return hookStore.findHook(db, poolId)
}

export async function setHookCommand(db: Db, actor: Actor, poolId: string, raw: unknown): Promise<string | null> {
  const pool = await getPool(db, poolId)
  const command = checkHookCommand(raw)
  const before = await hookStore.findHook(db, poolId)
  await hookStore.saveHook(db, poolId, command)
  await recordAudit(db, actor, {
    action: 'protection.hook.set',
    targetType: 'pool',
    targetId: pool.id,
    targetLabel: pool.name,
    poolId: pool.id,
    detail: { before, after: command },
  })
  return command
}
