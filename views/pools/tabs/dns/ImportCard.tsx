// "Import from Cloudflare": what Cloudflare holds at a protected account's
// domains, beside WHM's values where they differ. Read now, kept nowhere.
import type { ImportedSet } from '../../../../src/managed-dns/service'
import { Notice, Table } from '../../../components/ui'

export type ImportData = { user: string; provider: string; sets: ImportedSet[]; notes: string[]; error: string | null }

export function ImportCard({ data }: { data: ImportData }) {
  const differ = data.sets.filter((s) => s.whm !== undefined).length
  return (
    <div class="stack import-card" data-import-for={data.user}>
      <h4 safe>{`At ${data.provider} for ${data.user}: ${data.sets.length} record set${data.sets.length === 1 ? '' : 's'}`}</h4>
      <p class="muted small">Read from Cloudflare just now; nothing of it is stored.{differ ? ' Sets marked WHM differ from the source member\u2019s zone.' : ''}</p>
      {data.error ? (
        <Notice kind="error">
          <span safe>{`${data.provider} cannot be reached: ${data.error}`}</span>
        </Notice>
      ) : (
        ''
      )}
      {data.sets.length ? (
        <Table id={`mdns-import-table-${data.user}`} columns={['Name', 'Type', 'At Cloudflare', 'Proxied', 'TTL', 'WHM']}>
          {data.sets.map((s) => (
            <tr class={s.whm !== undefined ? 'drift' : ''}>
              <td safe>{s.name}</td>
              <td>{s.type}</td>
              <td>
                <code safe>{s.values.join(', ')}</code>
              </td>
              <td>{s.proxied === undefined ? '—' : s.proxied ? 'proxied' : 'DNS only'}</td>
              <td class="num" safe>{s.ttl === 1 ? 'auto' : `${s.ttl} s`}</td>
              <td safe>{s.whm === undefined ? (data.notes.some((n) => n.startsWith('WHM')) ? '' : 'same') : s.whm === null ? 'not in WHM' : s.whm.join(', ')}</td>
            </tr>
          ))}
        </Table>
      ) : (
        ''
      )}
      {data.notes.length ? (
        <ul class="plain small muted">
          {data.notes.map((n) => (
            <li safe>{n}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </div>
  )
}
