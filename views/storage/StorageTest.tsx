import type { TestResult } from '../../src/storage/service'
import { Badge, Notice } from '../components/ui'

const TONES = { ok: 'ok', failed: 'bad', skipped: 'muted' } as const
const LABELS = { write: 'Write', read: 'Read back', compare: 'Compare', delete: 'Delete' } as const

/** The Test button's answer: every step, its time and the store's own words. */
export function StorageTest({ result }: { result: TestResult | null }) {
  if (!result) return <div id="storage-test" aria-live="polite"></div>
  return (
    <div id="storage-test" aria-live="polite">
      <Notice kind={result.ok ? 'ok' : 'error'}>
        <p>{result.ok ? 'The store works: an object was written, read back intact and deleted.' : 'The test failed. Each step says what happened:'}</p>
      </Notice>
      <div class="table-wrap">
        <table class="table" id="storage-test-steps">
          <thead>
            <tr>
              <th>Step</th>
              <th>Outcome</th>
              <th class="num">Time</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {result.steps.map((s) => (
              <tr>
                <td>{LABELS[s.step]}</td>
                <td>
                  <Badge tone={TONES[s.outcome]}>{s.outcome}</Badge>
                </td>
                <td class="num" safe>{`${s.ms} ms`}</td>
                <td safe>{s.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
