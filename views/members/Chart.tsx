// A small SVG area chart with a tooltip per bucket (the browser's own title
// on hover): no chart library, nothing to load.
import { escapeHtml } from '@kitajs/html'
import type { Series } from '../../src/members/charts'

const W = 288
const H = 64

/** `detail`: what the percentage is of ("2.0 GiB of 4.0 GiB"), from the latest heartbeat. */
export function Chart({ series, detail }: { series: Series; detail?: string }) {
  const n = series.buckets.length
  const step = W / n
  const y = (v: number) => H - (v / series.max) * H
  let line = ''
  let area = ''
  let run: string[] = []
  const flush = () => {
    // A lone bucket (a new member's first minute, or one between two gaps)
    // is drawn across its own width, not as a line of no length.
    if (run.length === 1) {
      const [x, yv] = run[0]!.split(',').map(Number) as [number, number]
      run = [`${(x - step / 2).toFixed(1)},${yv.toFixed(1)}`, `${(x + step / 2).toFixed(1)},${yv.toFixed(1)}`]
    }
    if (run.length) {
      line += `M${run.join('L')}`
      const first = run[0]!.split(',')[0]
      const last = run[run.length - 1]!.split(',')[0]
      area += `M${first},${H}L${run.join('L')}L${last},${H}Z`
    }
    run = []
  }
  series.buckets.forEach((b, i) => {
    if (b.value == null) return flush()
    run.push(`${(i * step + step / 2).toFixed(1)},${y(b.value).toFixed(1)}`)
  })
  flush()
  const fmt = (v: number | null) => (v == null ? 'no data' : `${v}${series.unit}`)
  return (
    <figure class="chart">
      <figcaption>
        <span safe>{series.label}</span>
        {detail ? (
          <small class="chart-detail" safe>
            {detail}
          </small>
        ) : (
          ''
        )}{' '}
        <strong>{escapeHtml(fmt(series.latest))}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${series.label}, ${series.span}`}>
        <path class="chart-area" d={area} />
        <path class="chart-line" d={line} />
        {series.buckets.map((b, i) => (
          <rect x={(i * step).toFixed(1)} y="0" width={step.toFixed(1)} height={String(H)} class="chart-hit">
            <title>{escapeHtml(`${b.at.toISOString().slice(11, 16)} UTC: ${fmt(b.value)}`)}</title>
          </rect>
        ))}
      </svg>
    </figure>
  )
}
