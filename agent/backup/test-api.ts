// A BackupApi talking to a fake server, for tests.
import { backupApi, type BackupApi } from './api'
import type { FakeBackupServer } from './fake-server'
import { keysFromBase64 } from './seal'

export function apiFor(fake: FakeBackupServer, jobId = 'job_1', wrap: Partial<BackupApi> = {}) {
  const api = backupApi({ jobId, call: fake.agentCall, fetch, server: fake.url, signal: new AbortController().signal })
  return { api: { ...api, ...wrap }, keys: keysFromBase64(fake.dataKey) }
}
