import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STANDINS_DIR } from '../../../src/testing/standins/cpanel/host'
import { toolPath, whmapi } from '../../cpanel/tools'
import { cpanelJob } from './cpanel-test-kit'
import { fakeContext } from './test-context'

describe('finding the tools', () => {
  test('PATH first, so stand-ins win; then where cPanel installs them', () => {
    expect(toolPath('whmapi1', `${STANDINS_DIR}:/usr/bin`)).toBe(join(STANDINS_DIR, 'whmapi1'))
    expect(toolPath('restorepkg', `/usr/bin:${STANDINS_DIR}`)).toBe(join(STANDINS_DIR, 'restorepkg'))
  })

  test("named by cPanel's own path when found nowhere, so the job says it is not installed", () => {
    expect(toolPath('whmapi1', '/nonexistent')).toBe('/usr/local/cpanel/bin/whmapi1')
    expect(toolPath('pkgacct', '/nonexistent')).toBe('/usr/local/cpanel/scripts/pkgacct')
  })
})

describe('whmapi', () => {
  const answering = (a: { code?: number; stdout?: string; stderr?: string }) => fakeContext({ answer: () => a })

  test('each argument is one key=value argv item: quotes, spaces and $() are only text', async () => {
    const f = answering({ stdout: '{"metadata":{"result":1,"reason":"OK"}}' })
    await whmapi(f.ctx, 'suspendacct', { user: 'shop', reason: 'a "quoted" $(reason); x' })
    expect(f.calls[0]!.cmd.slice(1)).toEqual(['--output=json', 'suspendacct', 'user=shop', 'reason=a "quoted" $(reason); x'])
    expect(f.calls[0]!.opts.quiet).toBe(true)
  })

  test('success is metadata.result alone, whatever the exit code', async () => {
    expect(await whmapi(answering({ code: 2, stdout: '{"metadata":{"result":1,"reason":"OK"},"data":{"x":1}}' }).ctx, 'version')).toEqual({ x: 1 })
    await expect(whmapi(answering({ stdout: '{"metadata":{"result":0,"reason":"Access denied"}}' }).ctx, 'version')).rejects.toThrow('whmapi1 version failed: Access denied')
    await expect(whmapi(answering({ code: 255, stderr: 'Permission denied\n' }).ctx, 'version')).rejects.toThrow('whmapi1 version exited with code 255: Permission denied')
    await expect(whmapi(answering({ stdout: 'Usage: whmapi1 ...' }).ctx, 'version')).rejects.toThrow('whmapi1 version did not answer JSON: Usage: whmapi1 ...')
  })

  describe('a call that carries a password', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sctl-loud-whmapi1-'))
      // A whmapi1 that repeats its arguments everywhere it can: stderr, the reason, and then fails.
      writeFileSync(join(dir, 'whmapi1'), '#!/bin/sh\necho "called with: $*" >&2\nprintf \'{"metadata":{"result":0,"reason":"refused: %s"}}\\n\' "$*"\nexit 3\n')
      chmodSync(join(dir, 'whmapi1'), 0o755)
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    test('never shows it: stderr lines and the reason are redacted, the argv is never printed', async () => {
      const j = cpanelJob('cpanel.account.create', {}, { root: dir })
      const err = await j.run(() => whmapi(j.ctx, 'createacct', { username: 'blog', password: 'Sup3r-Secret.pw' }), { PATH: `${dir}:${process.env.PATH}` }).catch((e: Error) => e)
      expect((err as Error).message).toBe('whmapi1 createacct failed: refused: --output=json createacct username=blog password=********')
      expect(j.logs).toEqual(['whmapi1: called with: --output=json createacct username=blog password=********'])
      expect(j.everything()).not.toContain('Sup3r-Secret.pw')
    })
  })
})
