// Sign-in, sessions, API tokens, first-run setup and the admin bootstrap.
import { isUniqueViolation, type Db } from '../db'
import { newId, newSecret, sameSecret, sha256 } from '../crypto/tokens'
import { recordAudit, systemActor, type Actor } from '../audit/service'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import type { Log } from '../server/log'
import { attemptSucceeded, takeAttempt } from '../throttle/service'
import * as store from './store'

export type Principal = {
  user: { id: string; email: string; role: 'admin' | 'operator' }
  via: 'session' | 'token'
  sessionId: string | null
  csrfToken: string | null
  tokenName: string | null
}

/** How long a session lasts: SESSION_IDLE_HOURS unused, SESSION_MAX_DAYS in all. */
export type SessionPolicy = { idleHours: number; maxDays: number }

const HOUR = 3_600_000
const DAY = 24 * HOUR
// lastSeenAt is written at most this often, so the idle timeout is accurate to
// a minute without turning every page view into a write.
const SESSION_TOUCH_MS = 60_000
const TOKEN_TOUCH_MS = 60_000

// ---- validation -------------------------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+$/

export function checkEmail(raw: unknown): string {
  const email = typeof raw === 'string' ? raw.trim() : ''
  if (!email) throw badInput('Enter an email address', 'email')
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('Enter a valid email address', 'email')
  return email
}

export const MIN_PASSWORD = 10

export function checkNewPassword(raw: unknown): string {
  const password = typeof raw === 'string' ? raw : ''
  if (password.length < MIN_PASSWORD) {
    throw badInput(`Use a password of at least ${MIN_PASSWORD} characters`, 'password')
  }
  if (password.length > 256) throw badInput('Use a password of at most 256 characters', 'password')
  return password
}

// ---- users --------------------------------------------------------------------

export async function createUser(db: Db, email: string, password: string, role: 'admin' | 'operator' = 'admin') {
  if (await store.findUserByEmail(db, email)) throw conflict('A user with this email already exists', 'email')
  const passwordHash = await Bun.password.hash(password, { algorithm: 'argon2id' })
  return store.insertUser(db, { id: newId('user'), email, passwordHash, role })
}

export const hasUsers = async (db: Db) => (await store.countUsers(db)) > 0

// ---- attempt limits ---------------------------------------------------------------

const WINDOW_MS = 15 * 60_000
// Per email from one address: slows guessing one account. Per address: slows
// spraying many accounts. Neither lets a stranger lock the owner out from home.
const LIMITS = { account: 5, address: 30 }

function attemptLimits(subject: string, ip: string | null) {
  const addr = ip ?? 'unknown'
  return {
    account: { key: `account:${subject.toLowerCase()}|${addr}`, limit: LIMITS.account, windowMs: WINDOW_MS },
    address: { key: `address:${addr}`, limit: LIMITS.address, windowMs: WINDOW_MS },
  }
}

/**
 * Counts a guess at `subject`'s secret before it is checked, so however many
 * arrive at once, at most the limit get a check. Returns what to call when the
 * guess turns out right: it forgets the account's failures and takes this
 * attempt back from the address, so signing in often is never throttled.
 */
async function countGuess(db: Db, subject: string, ip: string | null, what: string, now = new Date()) {
  const { account, address } = attemptLimits(subject, ip)
  await takeAttempt(db, [account, address], what, now)
  return () => attemptSucceeded(db, { clear: [account.key], uncount: [address.key] })
}

// A fixed hash to verify against when the email is unknown, so a wrong email
// takes as long as a wrong password and does not reveal which accounts exist.
let decoyHash: Promise<string> | null = null
const decoy = () => (decoyHash ??= Bun.password.hash('decoy-password-never-valid', { algorithm: 'argon2id' }))

export async function checkCredentials(
  db: Db,
  input: { email: string; password: string; ip: string | null },
  now = new Date(),
): Promise<store.User> {
  const succeeded = await countGuess(db, input.email, input.ip, 'failed sign-ins', now)
  const user = await store.findUserByEmail(db, input.email)
  const ok = await Bun.password.verify(input.password, user?.passwordHash ?? (await decoy()))
  if (!user || !ok) {
    await recordAudit(db, { userId: null, label: input.email, ip: input.ip }, {
      action: 'auth.sign_in_failed',
      targetType: 'user',
      targetLabel: input.email,
    })
    throw new HttpError(401, 'invalid_credentials', 'Wrong email or password')
  }
  await succeeded()
  return user
}

// ---- sessions -------------------------------------------------------------------

const idleMs = (policy: SessionPolicy) => policy.idleHours * HOUR

/** The moment no use can keep the session alive past. */
const absoluteEnd = (policy: SessionPolicy, createdAt: Date) => new Date(createdAt.getTime() + policy.maxDays * DAY)

/** When the session ends if it is not used again. */
const endIfUnused = (policy: SessionPolicy, createdAt: Date, lastSeenAt: Date) =>
  new Date(Math.min(lastSeenAt.getTime() + idleMs(policy), absoluteEnd(policy, createdAt).getTime()))

/** `expiresAt` is for the cookie: it never outlives the session's absolute lifetime. */
export async function startSession(
  db: Db,
  user: store.User,
  meta: { ip: string | null; userAgent: string | null },
  policy: SessionPolicy,
  now = new Date(),
): Promise<{ cookieValue: string; expiresAt: Date }> {
  const cookieValue = newSecret()
  await store.insertSession(db, {
    id: sha256(cookieValue),
    userId: user.id,
    csrfToken: newSecret(),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: endIfUnused(policy, now, now),
  })
  await recordAudit(db, { userId: user.id, label: user.email, ip: meta.ip }, {
    action: 'auth.sign_in',
    targetType: 'user',
    targetId: user.id,
    targetLabel: user.email,
  })
  return { cookieValue, expiresAt: absoluteEnd(policy, now) }
}

/**
 * The signed-in user, while the session is live: used within the idle timeout
 * and younger than the absolute lifetime. Both are judged against the policy
 * in force now, so lowering SESSION_IDLE_HOURS or SESSION_MAX_DAYS takes effect
 * at once for sessions already open.
 */
export async function principalFromSession(
  db: Db,
  cookieValue: string,
  policy: SessionPolicy,
  now = new Date(),
): Promise<Principal | null> {
  const found = await store.findLiveSession(db, sha256(cookieValue), {
    usedAfter: new Date(now.getTime() - idleMs(policy)),
    createdAfter: new Date(now.getTime() - policy.maxDays * DAY),
  })
  if (!found) return null
  const { session, user } = found
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_MS) {
    await store.touchSession(db, session.id, now, endIfUnused(policy, session.createdAt, now))
  }
  return {
    user: { id: user.id, email: user.email, role: user.role },
    via: 'session',
    sessionId: session.id,
    csrfToken: session.csrfToken,
    tokenName: null,
  }
}

export async function endSession(db: Db, principal: Principal, actor: Actor): Promise<void> {
  if (!principal.sessionId) return
  await store.deleteSession(db, principal.sessionId)
  await recordAudit(db, actor, {
    action: 'auth.sign_out',
    targetType: 'user',
    targetId: principal.user.id,
    targetLabel: principal.user.email,
  })
}

/** Ends every session of the user, this one included: a lost laptop, a shared browser. */
export async function endEverySession(db: Db, principal: Principal, actor: Actor): Promise<number> {
  const ended = await store.deleteSessionsOfUser(db, principal.user.id)
  await recordAudit(db, actor, {
    action: 'auth.sign_out_everywhere',
    targetType: 'user',
    targetId: principal.user.id,
    targetLabel: principal.user.email,
    detail: { sessions: ended },
  })
  return ended
}

// ---- password change ------------------------------------------------------------------

export type PasswordChange = { current: string; password: string; confirm: string }
export type PasswordErrors = Partial<Record<keyof PasswordChange, string>>

function newPasswordErrors(input: PasswordChange): PasswordErrors {
  try {
    checkNewPassword(input.password)
  } catch (err) {
    if (err instanceof HttpError) return { password: err.message }
    throw err
  }
  if (input.password !== input.confirm) return { confirm: 'The two passwords differ' }
  if (input.password === input.current) return { password: 'Choose a password different from the current one' }
  return {}
}

/** A guess at the current password counts against the same limit as a sign-in. */
async function currentPasswordError(db: Db, user: store.User, password: string, ip: string | null): Promise<string | null> {
  if (!password) return 'Enter your current password'
  const succeeded = await countGuess(db, user.email, ip, 'wrong passwords')
  if (!(await Bun.password.verify(password, user.passwordHash))) return 'That is not your current password'
  await succeeded()
  return null
}

/**
 * Checks the current password and the new one, and only when all is right
 * stores the new hash and ends every other session of the user: whoever may
 * have learnt the old password is signed out, this browser stays. Returns each
 * field's refusal at once, empty when the password was changed. Throws
 * TooManyAttempts when the current password has been guessed too often.
 */
export async function changePassword(
  db: Db,
  principal: Principal,
  actor: Actor,
  input: PasswordChange,
): Promise<PasswordErrors> {
  const user = await store.findUserById(db, principal.user.id)
  if (!user) throw notFound('User')
  const errors = newPasswordErrors(input)
  const current = await currentPasswordError(db, user, input.current, actor.ip)
  if (current) {
    errors.current = current
    if (input.current) {
      await recordAudit(db, actor, { action: 'user.password_change_failed', targetType: 'user', targetId: user.id, targetLabel: user.email })
    }
  }
  if (Object.keys(errors).length) return errors
  await store.updatePasswordHash(db, user.id, await Bun.password.hash(input.password, { algorithm: 'argon2id' }))
  const ended = await store.deleteSessionsOfUser(db, user.id, principal.sessionId)
  await recordAudit(db, actor, {
    action: 'user.password_change',
    targetType: 'user',
    targetId: user.id,
    targetLabel: user.email,
    detail: { otherSessionsEnded: ended },
  })
  return {}
}

// ---- API tokens ---------------------------------------------------------------------

export const TOKEN_PREFIX = 'sctl_'

export function checkTokenName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim() : ''
  if (!name) throw badInput('Give the token a name, such as "terraform"', 'name')
  if (name.length > 80) throw badInput('Use a name of at most 80 characters', 'name')
  return name
}

export async function createApiToken(db: Db, actor: Actor, userId: string, name: string, secret = newSecret(TOKEN_PREFIX)) {
  const row = await store.insertApiToken(db, {
    id: newId('tok'),
    userId,
    name,
    tokenHash: sha256(secret),
    lastFour: secret.slice(-4),
  })
  await recordAudit(db, actor, { action: 'api_token.create', targetType: 'api_token', targetId: row.id, targetLabel: name })
  return { token: row, secret }
}

export const listApiTokens = (db: Db, userId: string) => store.listApiTokens(db, userId)

export async function revokeApiToken(db: Db, actor: Actor, userId: string, tokenId: string) {
  const row = await store.revokeApiToken(db, userId, tokenId, new Date())
  if (!row) throw notFound('API token')
  await recordAudit(db, actor, { action: 'api_token.revoke', targetType: 'api_token', targetId: row.id, targetLabel: row.name })
  return row
}

export async function principalFromToken(db: Db, secret: string, now = new Date()): Promise<Principal | null> {
  const found = await store.findLiveApiToken(db, sha256(secret))
  if (!found) return null
  const { token, user } = found
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOKEN_TOUCH_MS) {
    await store.markApiTokenUsed(db, token.id, now)
  }
  return {
    user: { id: user.id, email: user.email, role: user.role },
    via: 'token',
    sessionId: null,
    csrfToken: null,
    tokenName: token.name,
  }
}

// ---- first run ---------------------------------------------------------------------------

const SETUP_CODE_KEY = 'setup_code_sha256'
// Guesses at the setup code are limited like sign-ins; no email has this form.
const SETUP_SUBJECT = 'setup code'

function newSetupCode(): string {
  const raw = newId('x', 12).slice(2).toUpperCase()
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`
}

const normaliseCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, '')

/**
 * On start: create the admin from ADMIN_EMAIL/ADMIN_PASSWORD when no user
 * exists, else print a one-time setup code so that only someone who can read
 * the server log can claim a fresh server.
 */
export async function prepareFirstRun(
  db: Db,
  admin: { email: string; password: string; apiToken: string | null } | null,
  log: Log,
  setupUrl: string,
): Promise<void> {
  if (await hasUsers(db)) return
  if (admin) {
    let user
    try {
      user = await createUser(db, checkEmail(admin.email), checkNewPassword(admin.password))
    } catch (err) {
      // Another replica starting at the same moment created it first.
      if (isUniqueViolation(err) || (err instanceof HttpError && err.status === 409)) return
      throw err
    }
    await recordAudit(db, systemActor, { action: 'user.bootstrap', targetType: 'user', targetId: user.id, targetLabel: user.email })
    if (admin.apiToken) await createApiToken(db, systemActor, user.id, 'ADMIN_API_TOKEN', admin.apiToken)
    log.info('auth.bootstrap', `created admin ${user.email} from ADMIN_EMAIL`)
    return
  }
  const code = newSetupCode()
  await store.writeSetting(db, SETUP_CODE_KEY, sha256(normaliseCode(code)))
  log.info('auth.setup', `No admin yet. Open ${setupUrl} and enter the one-time setup code: ${code}`)
}

export async function completeSetup(
  db: Db,
  input: { code: string; email: string; password: string; ip: string | null },
): Promise<store.User> {
  if (await hasUsers(db)) throw conflict('This server is already set up. Sign in instead.')
  const succeeded = await countGuess(db, SETUP_SUBJECT, input.ip, 'failed setup attempts', new Date())
  const expected = await store.readSetting(db, SETUP_CODE_KEY)
  if (!expected || !sameSecret(sha256(normaliseCode(input.code)), expected)) {
    throw badInput('That setup code is not right. Copy it from the server log.', 'code')
  }
  await succeeded()
  // Consuming the code and creating the user in one transaction: of two people
  // racing with the right code, exactly one becomes the admin.
  const user = await db.transaction(async (tx) => {
    if (!(await store.consumeSetting(tx as unknown as Db, SETUP_CODE_KEY, expected))) {
      throw conflict('This server is already set up. Sign in instead.')
    }
    return createUser(tx as unknown as Db, input.email, input.password)
  })
  await recordAudit(db, { userId: user.id, label: user.email, ip: input.ip }, {
    action: 'user.setup',
    targetType: 'user',
    targetId: user.id,
    targetLabel: user.email,
  })
  return user
}
