import { describe, expect, test } from 'bun:test'
import type { ClaimedJob, JobFinish, JobReport } from '../protocol'
import { abortableSleep } from '../loop'
import { runJob, type RunnerDeps } from './runner'
import { JobFailure, type JobHandler } from './types'

function fakeServer(opts: { cancelAfterReports?: number } = {}) {
  const reports: JobReport[] = []
  const finishes: JobFinish[] = []
  const released: string[] = []
  const client: RunnerDeps['client'] = {
    claim: async () => ({ job: null }),
    report: async (_t, _id, r) => {
      reports.push(r)
      return { cancel: opts.cancelAfterReports !== undefined && reports.length >= opts.cancelAfterReports }
    },
    finish: async (_t, _id, f) => (finishes.push(f), { status: f.status }),
    release: async (_t, _id, reason) => (released.push(reason), { status: 'queued' }),
  }
  return { client, reports, finishes, released }
}

function deps(client: RunnerDeps['client'], handlers: Record<string, JobHandler>, restart = () => {}): RunnerDeps {
  return {
    client,
    token: 't',
    server: 'http://127.0.0.1:1',
    handlers,
    facts: async () => ({ family: 'debian', firewall: 'ufw' }),
    root: '/',
    log: () => {},
    sleep: abortableSleep,
    restart,
    reportEveryMs: 100,
  }
}

const claimed = (name: string, timeoutSeconds = 30): ClaimedJob => ({ id: 'job_1', name, params: {}, timeoutSeconds, leaseSeconds: 30, steps: ['One', 'Two'], attempt: 1 })
const allLines = (reports: JobReport[], finish?: JobFinish) => [...reports.flatMap((r) => r.lines ?? []), ...(finish?.lines ?? [])].map((l) => l.line)

describe('runJob', () => {
  test('steps, log lines, program output and the result reach the server; success is exit code 0', async () => {
    const server = fakeServer()
    const handler: JobHandler = async (ctx) => {
      ctx.step(0)
      ctx.log('hello from the handler')
      await ctx.exec(['sh', '-c', 'echo out; echo err >&2'])
      ctx.step(1)
      ctx.result({ answer: 42 })
    }
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), new AbortController().signal)
    const finish = server.finishes[0]!
    expect(finish).toMatchObject({ status: 'succeeded', exitCode: 0 })
    expect(allLines(server.reports, finish)).toEqual(expect.arrayContaining(['hello from the handler', 'out', 'err']))
    const sent = [...server.reports, finish]
    expect(sent.some((r) => r.step === 1)).toBe(true)
    expect(sent.find((r) => r.result !== undefined)?.result).toEqual({ answer: 42 })
  })

  test("a failing program fails the job with its exit code and last line", async () => {
    const server = fakeServer()
    const handler: JobHandler = async (ctx) => void (await ctx.exec(['sh', '-c', 'echo "E: Unable to locate package nope" >&2; exit 100']))
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), new AbortController().signal)
    expect(server.finishes[0]).toMatchObject({ status: 'failed', exitCode: 100, error: 'sh exited with code 100: E: Unable to locate package nope' })
  })

  test('a program that is not installed says so', async () => {
    const server = fakeServer()
    const handler: JobHandler = async (ctx) => void (await ctx.exec(['no-such-program-here']))
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), new AbortController().signal)
    expect(server.finishes[0]).toMatchObject({ status: 'failed', error: 'no-such-program-here is not installed on this server' })
  })

  test('past its timeout the job is killed and reported timed out', async () => {
    const server = fakeServer()
    const handler: JobHandler = async (ctx) => void (await ctx.exec(['sleep', '30']))
    const started = Date.now()
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job', 1), new AbortController().signal)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(server.finishes[0]).toMatchObject({ status: 'timed_out', error: 'Stopped after its 1 s timeout' })
  })

  test('a cancel answered to a report stops the job as cancelled', async () => {
    const server = fakeServer({ cancelAfterReports: 1 })
    const handler: JobHandler = async (ctx) => void (await ctx.exec(['sleep', '30']))
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), new AbortController().signal)
    expect(server.finishes[0]).toMatchObject({ status: 'cancelled' })
  })

  test('a job this agent does not know fails with a clear message', async () => {
    const server = fakeServer()
    await runJob(deps(server.client, {}), claimed('future.job'), new AbortController().signal)
    expect(server.finishes[0]).toMatchObject({ status: 'failed', error: 'This agent does not know the job "future.job"; update the agent.' })
  })

  test('a handler refusing with JobFailure: its message is the error', async () => {
    const server = fakeServer()
    const handler: JobHandler = async () => {
      throw new JobFailure('OpenLiteSpeed is already installed: only on clean servers')
    }
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), new AbortController().signal)
    expect(server.finishes[0]).toMatchObject({ status: 'failed', exitCode: 1, error: 'OpenLiteSpeed is already installed: only on clean servers' })
  })

  test('the agent stopping mid-job releases it instead of finishing it', async () => {
    const server = fakeServer()
    const stop = new AbortController()
    const handler: JobHandler = async (ctx) => void (await ctx.exec(['sleep', '30']))
    setTimeout(() => stop.abort(), 200)
    await runJob(deps(server.client, { 'x.job': handler }), claimed('x.job'), stop.signal)
    expect(server.finishes).toHaveLength(0)
    expect(server.released).toEqual(['The agent was stopped while the job ran'])
  })

  test('a restart asked for by a successful job happens after it is reported, not before', async () => {
    const server = fakeServer()
    const order: string[] = []
    const handler: JobHandler = async (ctx) => ctx.requestRestart()
    const client = { ...server.client, finish: async (t: string, id: string, f: JobFinish) => (order.push('finish'), server.client.finish(t, id, f)) }
    await runJob(deps(client, { 'x.job': handler }, () => order.push('restart')), claimed('x.job'), new AbortController().signal)
    expect(order).toEqual(['finish', 'restart'])
  })
})
