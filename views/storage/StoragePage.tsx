import type { StorageInfo, TestResult } from '../../src/storage/service'
import { formatBytes } from '../../src/members/view-model'
import { Card, CsrfField, Kpi, Notice } from '../components/ui'
import { StorageTest } from './StorageTest'

export type StorageStats = { objects: number; bytes: number } | { error: string }

function BackendRows({ info }: { info: StorageInfo }) {
  if (info.backend === 'folder') {
    return (
      <>
        <tr>
          <th>Backend</th>
          <td>Folder on this server</td>
        </tr>
        <tr>
          <th>Path</th>
          <td>
            <code safe>{info.path}</code>
          </td>
        </tr>
      </>
    )
  }
  return (
    <>
      <tr>
        <th>Backend</th>
        <td>S3-compatible</td>
      </tr>
      <tr>
        <th>Endpoint</th>
        <td>{info.endpoint ? <code safe>{info.endpoint}</code> : 'AWS S3 (the region’s default endpoint)'}</td>
      </tr>
      <tr>
        <th>Bucket</th>
        <td>
          <code safe>{info.bucket}</code>
        </td>
      </tr>
      <tr>
        <th>Region</th>
        <td safe>{info.region}</td>
      </tr>
      <tr>
        <th>Access key id</th>
        <td>{info.accessKeyId ? <code safe>{info.accessKeyId}</code> : 'none set (the SDK’s default credentials)'}</td>
      </tr>
      <tr>
        <th>Addressing</th>
        <td>{info.forcePathStyle ? 'path-style (S3_FORCE_PATH_STYLE)' : 'virtual-hosted'}</td>
      </tr>
    </>
  )
}

function Contents({ stats }: { stats: StorageStats }) {
  if ('error' in stats) {
    return (
      <Notice kind="error">
        <p safe>{`Could not count the stored objects: ${stats.error}`}</p>
      </Notice>
    )
  }
  return (
    <div class="kpis" id="storage-kpis">
      <Kpi label="Objects" value={stats.objects} />
      <Kpi label="Stored" value={formatBytes(stats.bytes)} />
    </div>
  )
}

export function StoragePage(props: { info: StorageInfo; stats: StorageStats; csrf: string | null; isAdmin: boolean; result: TestResult | null }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Storage</h1>
          <p class="muted">
            Where backup chunks are kept. Storage credentials stay on this server; agents upload and download with
            short-lived signed links.
          </p>
        </div>
      </header>
      <Card title="Backend">
        <div class="table-wrap">
          <table class="table kv" id="storage-backend">
            <BackendRows info={props.info} />
          </table>
        </div>
        <p class="muted">
          Set by the <code>S3_*</code> variables when the server starts; without <code>S3_BUCKET</code>, a folder in{' '}
          <code>DATA_DIR</code>.
        </p>
      </Card>
      <Card title="Contents">
        <Contents stats={props.stats} />
      </Card>
      <Card title="Test">
        <p>Writes a 256 KiB object, reads it back, compares the bytes and deletes it, timing each step.</p>
        {props.isAdmin ? (
          <form method="post" action="/account/storage/test" hx-post="/account/storage/test" hx-target="#storage-test" hx-swap="outerHTML">
            <CsrfField token={props.csrf} />
            <button type="submit" class="button primary">
              Test
            </button>
          </form>
        ) : (
          <p class="muted">Only admins can run the test.</p>
        )}
        <StorageTest result={props.result} />
      </Card>
    </div>
  )
}
