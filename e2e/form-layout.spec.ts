// Fields side by side in a form grid line up at the top and keep one height,
// whether or not each has a hint or an error under it.
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn } from './fixtures'

const API_TOKEN = 'sctl_e2e_form_layout_token_0123456789'
useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })
const auth = { authorization: `Bearer ${API_TOKEN}` }

type Box = { grid: number; label: string; fieldTop: number; top: number; height: number }

/** Each grid field's input: where it starts and how tall it is, with the field it belongs to. */
async function gridInputs(page: Page, scope: string): Promise<Box[]> {
  return page.locator(scope).evaluate((root) =>
    [...root.querySelectorAll('.grid-2, .grid-3')].flatMap((grid, i) =>
      [...grid.children]
        .filter((el) => el.classList.contains('field'))
        .map((field) => {
          const control = field.querySelector('input, select, textarea')!.getBoundingClientRect()
          return {
            grid: i,
            label: field.querySelector('label')!.textContent!.trim(),
            fieldTop: Math.round(field.getBoundingClientRect().top),
            top: Math.round(control.top),
            height: Math.round(control.height),
          }
        }),
    ),
  )
}

/** The fields that share a row of a grid, keyed by grid and row. */
function rows(boxes: Box[]): Box[][] {
  const byRow = new Map<string, Box[]>()
  for (const box of boxes) {
    const key = `${box.grid}:${box.fieldTop}`
    byRow.set(key, [...(byRow.get(key) ?? []), box])
  }
  return [...byRow.values()].filter((row) => row.length > 1)
}

function expectAligned(boxes: Box[], mustShareARow: string[]) {
  const shared = rows(boxes)
  for (const label of mustShareARow) expect(shared.flat().map((b) => b.label), `${label} shares a row`).toContain(label)
  for (const row of shared) {
    const labels = row.map((b) => b.label).join(', ')
    expect(row.map((b) => b.top), `input tops in the row ${labels}`).toEqual(row.map(() => row[0]!.top))
    expect(row.map((b) => b.height), `input heights in the row ${labels}`).toEqual(row.map(() => row[0]!.height))
  }
}

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

test('fields with and without hints line up in member Settings and failover settings', async ({ page }) => {
  const pool = await page.request.post('/api/v1/pools', { headers: auth, data: { name: 'Layout', preset: 'generic' } })
  const poolId = (await pool.json()).id as string
  const member = await page.request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name: 'web-1', hostname: 'web-1.example.com', egressIps: ['203.0.113.7'] } })
  expect(member.status(), await member.text()).toBe(201)
  const memberId = (await member.json()).id as string

  await page.goto(`/pools/${poolId}/members/${memberId}/settings`)
  await expect(page.getByLabel('Display name')).toBeVisible()
  expectAligned(await gridInputs(page, '#main'), ['Display name', 'Hostname'])

  await page.goto(`/pools/${poolId}/settings`)
  await expect(page.getByLabel('Zone')).toBeVisible()
  expectAligned(await gridInputs(page, '#failover'), ['Failover hostnames', 'Zone', 'DNS provider'])

  // An error under one field does not move its neighbours either.
  await page.getByLabel('Zone').fill('not a zone')
  await page.getByRole('button', { name: 'Save failover settings' }).click()
  await expect(page.locator('#field-zone-error')).toBeVisible()
  expectAligned(await gridInputs(page, '#failover'), ['Failover hostnames', 'Zone', 'DNS provider'])
})
