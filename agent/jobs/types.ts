// What a job handler on the agent gets to work with. Handlers never see the
// network or the shell directly: every program they run goes through `exec`,
// which streams its output into the job and kills the whole process tree on
// cancel or timeout, and which tests replace with a recorder.
import type { OsFamily } from '../protocol'

export type ExecResult = { code: number; stdout: string; stderr: string }

export type ExecOptions = {
  /** Written to the program's stdin, then closed. */
  input?: string
  /** Extra environment (LC_ALL=C and HOME are always set). */
  env?: Record<string, string>
  /** Exit codes that do not fail the job (default [0]). Others throw JobFailure. */
  okCodes?: number[]
  /** Do not stream stdout into the job's output (e.g. a key listing we parse). */
  quiet?: boolean
}

export type JobContext = {
  jobId: string
  name: string
  params: Record<string, any>
  /** Family of package and firewall tools: from os-release, read at job start. */
  family: OsFamily | null
  /** Which firewall manager is installed here (ufw, firewalld or none). */
  firewall: 'ufw' | 'firewalld' | null
  /** Root prefix for files the handler reads or writes (tests use a temp dir). */
  root: string
  /** The server the agent talks to, without a trailing slash (agent.update). */
  server: string
  exec(cmd: string[], opts?: ExecOptions): Promise<ExecResult>
  /** A line in the job's output, as the agent's own words. */
  log(line: string): void
  /** Step i (0-based, of the steps the catalogue declared) has started; earlier ones are done. */
  step(index: number): void
  /** 0..100; without calls, progress follows the steps. */
  progress(percent: number): void
  /** Structured answer kept with the job (e.g. the keys ssh.key.list read). JSON, at most 256 KiB. */
  result(value: unknown): void
  /** After the job is reported finished, the agent restarts itself (agent.update). */
  requestRestart(): void
  signal: AbortSignal
  fetch: typeof fetch
  /** POST /api/v1/agent/<path> with this agent's token, ending with the job (backups/:jobId/...). A refusal throws ServerRefused. */
  agentCall<T = unknown>(path: string, body: unknown): Promise<T>
}

export type JobHandler = (ctx: JobContext) => Promise<void>

/** A handler's clear "this cannot be done", shown as the job's error. */
export class JobFailure extends Error {
  constructor(
    message: string,
    /** The failing program's exit code, when a program failed. */
    public exitCode?: number,
  ) {
    super(message)
  }
}
