import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import type { Page, TestInfo } from '@playwright/test'
import { COLLECTOR_CLI } from '@touchline/collector/testing'
import { MODELS } from '@touchline/shared'
import { type Collector, expect, test } from '../fixtures'

/**
 * The dashboard (PRODUCT.md §8) in Chromium, served by the real collector and filled by
 * `touchline demo`: every figure shown is checked against the report API's answer to the
 * same query, asked independently.
 */

const DAY = 86_400_000
const TODAY = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString().slice(0, 10)

/** Loads a small demo data set (about 10,000 events) ending today through the real CLI. */
async function loadDemo(collector: Collector): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      COLLECTOR_CLI,
      'demo',
      '--url',
      collector.url,
      '--key',
      collector.secretKey,
      '--people',
      '600',
      '--days',
      '120',
      '--seed',
      'e2e',
    ],
    { env: { ...process.env, TOUCHLINE_SECRET_KEY: '' } },
  )
  return stdout
}

type Query = Record<string, string | number>

/** A report, asked of the API directly with the secret key. */
async function api<T>(collector: Collector, path: string, query: Query): Promise<T> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))
  const res = await fetch(`${collector.url}/v1/reports/${path}?${search}`, {
    headers: { authorization: `Bearer ${collector.secretKey}` },
  })
  expect(res.status, `${path}?${search}`).toBe(200)
  return (await res.json()) as T
}

interface Credit {
  conversions: number
  value: number
  share: number
}
interface CompareAnswer {
  models: string[]
  lookbackDays: number
  totals: { conversions: number; value: number }
  rows: { key: string; credits: Record<string, Credit> }[]
}
interface RowsAnswer {
  totals: { conversions: number; value: number }
  rows: { key: string; conversions: number; value: number; share: number }[]
}

/** The day after `day` (the dashboard's "Through" is inclusive, the API's `to` is not). */
const dayAfter = (day: string) => new Date(Date.parse(day) + DAY).toISOString().slice(0, 10)
const daysBefore = (day: string, n: number) =>
  new Date(Date.parse(day) - n * DAY).toISOString().slice(0, 10)

/** What the dashboard asks by default: the last 90 days through today. */
const DEFAULT_QUERY: Query = {
  conversion: 'demo_request',
  from: daysBefore(TODAY, 89),
  to: dayAfter(TODAY),
  groupBy: 'channel',
  level: 'person',
  halfLifeDays: 7,
}

/** Waits until the dashboard has drawn every view for the latest settings. */
async function settled(page: Page, previous: string | undefined): Promise<string> {
  await page.waitForFunction(
    (before) =>
      document.body.dataset.rendered !== undefined &&
      document.body.dataset.rendered !== before &&
      document.querySelectorAll('[aria-busy="true"]').length === 0,
    previous,
  )
  return (await page.evaluate(() => document.body.dataset.rendered)) as string
}

/** Does `change`, then waits for the views to be drawn again. */
async function changing(page: Page, change: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => document.body.dataset.rendered)
  await change()
  await settled(page, before)
}

async function signIn(page: Page, collector: Collector): Promise<number> {
  await page.goto(`${collector.url}/`)
  await page.getByLabel('Secret key', { exact: true }).fill(collector.secretKey)
  const started = Date.now()
  await page.getByRole('button', { name: 'Sign in' }).click()
  await settled(page, undefined)
  return Date.now() - started
}

/** The models table as shown: per key, per model, its figures (from the cells' data). */
function shownModels(page: Page) {
  return page.locator('#models-body table.models tbody tr').evaluateAll((rows) =>
    rows.map((row) => ({
      key: row.getAttribute('data-key') ?? '',
      cells: Object.fromEntries(
        [...row.querySelectorAll('td')].map((td) => [
          td.dataset.model ?? '',
          {
            conversions: Number(td.dataset.conversions),
            value: Number(td.dataset.value),
            rank: Number(td.dataset.rank),
            text: td.querySelector('.share')?.textContent ?? '',
          },
        ]),
      ),
    })),
  )
}

/** Compares the shown models table with the API's comparison for `query`. */
async function expectModelsAsApi(
  page: Page,
  collector: Collector,
  query: Query,
  metric: 'conversions' | 'value' = 'conversions',
): Promise<CompareAnswer> {
  const answer = await api<CompareAnswer>(collector, 'compare', query)
  const shown = await shownModels(page)
  expect(shown.map((row) => row.key).sort()).toEqual(answer.rows.map((row) => row.key).sort())
  expect(await page.locator('#models-body thead th[data-model]').allTextContents()).toHaveLength(
    answer.models.length,
  )
  const total = metric === 'value' ? answer.totals.value : answer.totals.conversions
  for (const row of answer.rows) {
    const cells = shown.find((item) => item.key === row.key)?.cells ?? {}
    expect(Object.keys(cells)).toEqual(answer.models)
    for (const model of answer.models) {
      const credit = row.credits[model] as Credit
      const measure = (c: Credit) => (metric === 'value' ? c.value : c.conversions)
      // Competition ranking: 1 + the keys the model credits with more.
      const rank =
        1 +
        answer.rows.filter(
          (other) => measure(other.credits[model] as Credit) > measure(credit) + 1e-9,
        ).length
      const share = total > 0 ? measure(credit) / total : 0
      expect(cells[model], `${row.key} × ${model}`).toEqual({
        conversions: credit.conversions,
        value: credit.value,
        rank,
        text: `${(share * 100).toFixed(1)}%`,
      })
    }
  }
  // Rows in the order of the first model's rank.
  const ranks = shown.map((row) => row.cells[answer.models[0] as string]?.rank ?? 0)
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b))
  return answer
}

/** A table's rows as shown: each one's key and conversions (from the rows' data). */
function shownKeyedRows(page: Page, rows: string) {
  return page.locator(rows).evaluateAll((list) =>
    list.map((row) => ({
      key: row.getAttribute('data-key'),
      conversions: Number(
        row.querySelector('[data-conversions]')?.getAttribute('data-conversions'),
      ),
    })),
  )
}

async function expectInfluencedAsApi(page: Page, collector: Collector, query: Query) {
  const answer = await api<RowsAnswer>(collector, 'influenced', query)
  const shown = await shownKeyedRows(page, '#influenced-body tbody tr')
  expect(shown).toEqual(answer.rows.map(({ key, conversions }) => ({ key, conversions })))
}

async function expectJourneysAsApi(page: Page, collector: Collector, query: Query) {
  const answer = await api<{
    distinctPaths: number
    touches: { count: number; median: number }
    topPaths: { key: string; conversions: number }[]
  }>(collector, 'journeys', { ...query, limit: 10 })
  const shown = await shownKeyedRows(page, '#paths-body tbody tr')
  expect(shown).toEqual(answer.topPaths.map(({ key, conversions }) => ({ key, conversions })))
  await expect(page.locator('#paths-body .lead')).toContainText(
    `of ${answer.distinctPaths} distinct paths`,
  )
  await expect(page.locator('[data-distribution="touches"] .figures')).toContainText(
    `journeys${answer.touches.count}`,
  )
}

async function expectWindowsAsApi(page: Page, collector: Collector, query: Query, model: string) {
  for (const lookbackDays of [30, 90, 180]) {
    const answer = await api<RowsAnswer>(collector, 'attribution', {
      ...query,
      model,
      lookbackDays,
    })
    const shown = await page
      .locator(`#windows-body tbody td[data-lookback="${lookbackDays}"]`)
      .evaluateAll((cells) =>
        cells
          .map((cell) => ({
            key: cell.parentElement?.getAttribute('data-key') ?? '',
            conversions: Number(cell.getAttribute('data-conversions')),
          }))
          .filter((cell) => cell.conversions > 0),
      )
    expect(shown.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      answer.rows
        .map(({ key, conversions }) => ({ key, conversions }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    )
  }
}

async function screenshot(page: Page, testInfo: TestInfo, name: string, selector?: string) {
  const path = testInfo.outputPath(`${name}.png`)
  if (selector) await page.locator(selector).screenshot({ path })
  else await page.screenshot({ path, fullPage: true })
  await testInfo.attach(name, { path, contentType: 'image/png' })
}

test.describe('the dashboard', () => {
  test.beforeEach(async ({ collector }) => {
    const output = await loadDemo(collector)
    expect(output).toContain('600 people')
  })

  test('signs in with the secret key: a wrong key gets the API’s message, and the key stays out of the URL', async ({
    page,
    collector,
  }, testInfo) => {
    await page.goto(`${collector.url}/`)
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
    await page.getByLabel('Secret key', { exact: true }).fill('sk_not_the_right_key_0123456789')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('alert')).toHaveText(
      'Unknown key: check the project\'s write key ("wk_…") or secret key ("sk_…").',
    )
    // The write key is a real key, but not for reports.
    await page.getByLabel('Secret key', { exact: true }).fill(collector.writeKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('alert')).toHaveText(
      'Reports need the secret key ("sk_…"); the write key can only send events.',
    )
    await screenshot(page, testInfo, 'sign-in-refused')

    const ms = await signIn(page, collector)
    testInfo.annotations.push({ type: 'first render after sign-in', description: `${ms} ms` })
    await expect(page.getByRole('heading', { name: 'Models side by side' })).toBeVisible()
    await expectModelsAsApi(page, collector, DEFAULT_QUERY)
    expect(page.url()).not.toContain(collector.secretKey)
    expect(await page.evaluate(() => localStorage.length)).toBe(0)
    await screenshot(page, testInfo, 'dashboard')

    // The key lasts for the tab's session: a reload stays signed in, "Sign out" forgets it.
    await page.reload()
    await settled(page, undefined)
    await expect(page.locator('#sign-in')).toBeHidden()
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
  })

  test('shows what the API answers, for every control', async ({ page, collector }, testInfo) => {
    await signIn(page, collector)
    let query: Query = { ...DEFAULT_QUERY }
    const first = await expectModelsAsApi(page, collector, query)
    expect(first.models).toEqual(MODELS)
    expect(first.totals.conversions).toBeGreaterThan(5)
    await expectInfluencedAsApi(page, collector, query)
    await expectJourneysAsApi(page, collector, query)
    await expectWindowsAsApi(page, collector, query, 'linear')
    await screenshot(page, testInfo, 'models', '#models-view')
    await screenshot(page, testInfo, 'windows', '#windows-view')
    await screenshot(page, testInfo, 'journeys', '#journeys-view')

    // Each change must change the figures, and the figures must be the API's.
    let previous = first
    const step = async (change: () => Promise<unknown>, next: Query, metric?: 'value') => {
      await changing(page, change)
      query = next
      const answer = await expectModelsAsApi(page, collector, query, metric)
      expect(answer).not.toEqual(previous)
      previous = answer
      return answer
    }

    await step(() => page.getByLabel('Group by', { exact: true }).selectOption('source'), {
      ...query,
      groupBy: 'source',
    })
    await expectInfluencedAsApi(page, collector, query)
    await step(() => page.getByLabel('Conversion', { exact: true }).selectOption('form_submit'), {
      ...query,
      conversion: 'form_submit',
    })
    await expectJourneysAsApi(page, collector, query)
    await step(
      async () => {
        await page.getByLabel('Lookback (days)', { exact: true }).fill('7')
        await page.getByLabel('Lookback (days)', { exact: true }).press('Tab')
      },
      { ...query, lookbackDays: 7 },
    )
    await expectJourneysAsApi(page, collector, query)
    await step(() => page.getByLabel('Account', { exact: true }).check(), {
      ...query,
      level: 'account',
    })
    await expectInfluencedAsApi(page, collector, query)
    await step(() => page.getByLabel('From', { exact: true }).fill(daysBefore(TODAY, 29)), {
      ...query,
      from: daysBefore(TODAY, 29),
    })
    await step(() => page.getByLabel('Through', { exact: true }).fill(daysBefore(TODAY, 7)), {
      ...query,
      to: dayAfter(daysBefore(TODAY, 7)),
    })
    const decayed = await step(
      async () => {
        await page.getByLabel('Time-decay half-life (days)', { exact: true }).fill('0.5')
        await page.getByLabel('Time-decay half-life (days)', { exact: true }).press('Tab')
      },
      { ...query, halfLifeDays: 0.5 },
    )
    // Only time decay depends on the half-life.
    expect(decayed.rows.map((row) => row.credits.linear)).toEqual(
      (await api<CompareAnswer>(collector, 'compare', { ...query, halfLifeDays: 7 })).rows.map(
        (row) => row.credits.linear,
      ),
    )

    // Value: opportunities carry their amount.
    await step(
      async () => {
        await page.getByLabel('Through', { exact: true }).fill(TODAY)
        await page.getByLabel('From', { exact: true }).fill(daysBefore(TODAY, 119))
        await page.getByLabel('Lookback (days)', { exact: true }).fill('')
        await page.getByLabel('Person', { exact: true }).check()
        await page.getByLabel('Conversion', { exact: true }).selectOption('opportunity_created')
      },
      {
        ...DEFAULT_QUERY,
        conversion: 'opportunity_created',
        from: daysBefore(TODAY, 119),
        groupBy: 'source',
        halfLifeDays: 0.5,
      },
    )
    await changing(page, () => page.getByLabel('Measure', { exact: true }).selectOption('value'))
    const valued = await expectModelsAsApi(page, collector, query, 'value')
    expect(valued.totals.value).toBeGreaterThan(0)
    await expect(page.locator('#models-body tfoot .amount').first()).toHaveText(
      valued.totals.value.toLocaleString('en-US'),
    )

    // Fewer models: the columns are the models checked.
    for (const model of ['Last non-direct', 'Time decay', 'Position-based', 'W-shaped']) {
      await changing(page, () => page.getByLabel(model, { exact: true }).uncheck())
    }
    const fewer = await expectModelsAsApi(
      page,
      collector,
      { ...query, models: 'first_touch,last_touch,linear,markov,shapley' },
      'value',
    )
    expect(fewer.models).toEqual(['first_touch', 'last_touch', 'linear', 'markov', 'shapley'])

    // The lookback windows of another model.
    await changing(page, () =>
      page.locator('#windows-view').getByLabel('Model').selectOption('first_touch'),
    )
    await expectWindowsAsApi(page, collector, query, 'first_touch')
    await screenshot(page, testInfo, 'changed', '#main')

    // A setting the API refuses shows its message.
    await page.getByLabel('Lookback (days)', { exact: true }).fill('1000')
    await page.getByLabel('Lookback (days)', { exact: true }).press('Tab')
    await expect(page.locator('#models-body [role="alert"]')).toHaveText(
      '"lookbackDays" must be a whole number of days from 1 to 730',
    )
  })

  test('drills down from a row to the people behind it and their journey', async ({
    page,
    collector,
  }, testInfo) => {
    await signIn(page, collector)
    const [top] = await shownModels(page)
    const key = top?.key as string
    await page
      .locator(`#models-body tr[data-key="${key}"]`)
      .getByRole('button', { name: key })
      .click()
    await expect(page.getByRole('heading', { name: `People behind “${key}”` })).toBeFocused()
    await expect(page.locator('#people-body')).toHaveAttribute('aria-busy', 'false')

    const people = await api<{
      conversions: number
      people: { owner: string; label: string; journey: Record<string, string> }[]
    }>(collector, 'people', { ...DEFAULT_QUERY, key, model: 'first_touch', limit: 200 })
    expect(people.conversions).toBeGreaterThan(0)
    await expect(page.locator('#people-body tbody tr')).toHaveCount(people.people.length)
    expect(
      await page
        .locator('#people-body tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-owner'))),
    ).toEqual(people.people.map((person) => person.owner))

    const person = people.people[0] as (typeof people.people)[number]
    await page
      .locator('#people-body tbody tr')
      .first()
      .getByRole('button', { name: `Journey of ${person.label}` })
      .click()
    await expect(page.getByRole('heading', { name: `Journey of ${person.label}` })).toBeFocused()
    await expect(page.locator('#journey-body')).toHaveAttribute('aria-busy', 'false')
    const journey = await api<{
      summary: { touchesBeforeConversion: number; channels: string[] }
      timeline: { type: string; time: string }[]
    }>(collector, 'journey', { ...person.journey, conversion: 'demo_request', lookbackDays: 90 })
    const items = page.locator('#journey-body .timeline li')
    await expect(items).toHaveCount(journey.timeline.length)
    expect(
      await items.evaluateAll((list) => list.map((li) => li.getAttribute('data-type'))),
    ).toEqual(journey.timeline.map((item) => item.type))
    await expect(page.locator('#journey-body .timeline li.conversion')).toHaveCount(1)
    await expect(page.locator('#journey-body .summary')).toContainText(
      `Touches before${journey.summary.touchesBeforeConversion}`,
    )
    await expect(page.locator('#journey-body .summary')).toContainText(
      journey.summary.channels.join(' → '),
    )
    // The key's own touches are highlighted.
    expect(await page.locator('#journey-body .timeline li.key').count()).toBeGreaterThan(0)
    await screenshot(page, testInfo, 'drill-down', '#drill-down')

    // From the influenced view too, at account level.
    await changing(page, () => page.getByLabel('Account', { exact: true }).check())
    const account =
      (await page.locator('#influenced-body tbody tr').first().getAttribute('data-key')) ?? ''
    await page
      .locator(`#influenced-body tr[data-key="${account}"]`)
      .getByRole('button', { name: account })
      .click()
    await expect(page.locator('#people-body')).toHaveAttribute('aria-busy', 'false')
    await page.locator('#people-body tbody tr').first().getByRole('button').click()
    await expect(page.locator('#journey-body')).toHaveAttribute('aria-busy', 'false')
    await expect(page.locator('#journey-body .timeline li').first()).toBeVisible()
    await expect(page.locator('#journey-body [role="alert"]')).toHaveCount(0)
  })

  test('exports what is shown as CSV', async ({ page, collector }) => {
    await signIn(page, collector)
    const answer = await api<CompareAnswer>(collector, 'compare', DEFAULT_QUERY)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#models-view').getByRole('button', { name: 'Download CSV' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('models-demo_request-channel.csv')
    const lines = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n')
    expect(lines[0]).toBe(
      [
        'channel',
        ...MODELS.flatMap((m) => [`${m} conversions`, `${m} value`, `${m} share`, `${m} rank`]),
      ].join(','),
    )
    expect(lines).toHaveLength(answer.rows.length + 1)
    const shown = await shownModels(page)
    for (const [i, row] of shown.entries()) {
      const fields = (lines[i + 1] as string).split(',')
      expect(fields[0]).toBe(row.key)
      const credit = answer.rows.find((r) => r.key === row.key)?.credits.first_touch as Credit
      expect(fields.slice(1, 5).map(Number)).toEqual([
        credit.conversions,
        credit.value,
        credit.conversions / answer.totals.conversions,
        row.cells.first_touch?.rank,
      ])
    }

    const paths = await api<{ topPaths: { key: string; conversions: number }[] }>(
      collector,
      'journeys',
      { ...DEFAULT_QUERY, limit: 10 },
    )
    const [pathsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#paths-view').getByRole('button', { name: 'Download CSV' }).click(),
    ])
    const pathLines = readFileSync(await pathsCsv.path(), 'utf8')
      .trimEnd()
      .split('\r\n')
    expect(pathLines[0]).toBe('path,conversions,value,share')
    expect(pathLines.slice(1).map((line) => line.split(',')[0])).toEqual(
      paths.topPaths.map((path) => path.key),
    )
  })
})

test('says how to get data when the collector has none yet', async ({ page, collector }) => {
  await page.goto(`${collector.url}/`)
  await page.getByLabel('Secret key', { exact: true }).fill(collector.secretKey)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.locator('#status')).toHaveText(
    'Choose a conversion: the collector has no track events yet.',
  )
  await expect(page.locator('#models-body')).toHaveText(
    'No track events yet: send some (see the README), or load the demo data set with "pnpm touchline demo".',
  )
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0)
})

/** Posts a batch with the write key, as a client with this user agent would. */
async function sendBatch(collector: Collector, userAgent: string, batch: unknown[]) {
  const res = await fetch(`${collector.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ writeKey: collector.writeKey, batch }),
  })
  expect(res.status).toBe(200)
}

test('shows what the collector did not store, and why', async ({ page, collector }, testInfo) => {
  await page.goto(`${collector.url}/`)
  await page.getByLabel('Secret key', { exact: true }).fill(collector.secretKey)
  await page.getByRole('button', { name: 'Sign in' }).click()
  const panel = page.locator('#warnings-view')
  await expect(panel.getByRole('heading', { name: 'Ingestion warnings' })).toBeVisible()
  await expect(page.locator('#warnings-body')).toHaveText('Every event received was stored.')

  const browser =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140.0.0.0 Safari/537.36'
  await sendBatch(collector, browser, [
    {
      type: 'track',
      event: 'signup',
      messageId: 'e2e-invalid',
      anonymousId: 'a1',
      userId: { x: 1 },
      context: { library: { name: 'analytics-python', version: '2.3.3' } },
    },
  ])
  await sendBatch(collector, 'curl/8.5.0', [
    { type: 'page', messageId: 'e2e-bot', anonymousId: 'b1' },
  ])
  const res = await fetch(`${collector.url}/v1/ingestion/warnings`, {
    headers: { authorization: `Bearer ${collector.secretKey}` },
  })
  const answer = (await res.json()) as {
    counts: { reason: string; last: string }[]
    samples: { at: string; payload: string }[]
  }
  const shownTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
  const [botCount, invalidCount] = answer.counts.map((row) => shownTime(row.last))
  const [botAt, invalidAt] = answer.samples.map((sample) => shownTime(sample.at))

  // Reload data asks the warnings again.
  await page.getByRole('button', { name: 'Reload data' }).click()
  await expect(panel.locator('.warning-totals li')).toHaveText([
    '1 rejected: not a valid event',
    '1 ignored: sent by a bot',
  ])
  await expect(page.locator('#warnings-body')).toHaveAttribute('aria-busy', 'false')
  const rows = await panel
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent)),
    )
  expect(rows).toEqual([
    ['ignored: sent by a bot', 'curl', '–', '1', botCount],
    ['rejected: not a valid event', 'analytics-python', 'userId', '1', invalidCount],
  ])
  await expect(panel.locator('.sample-error')).toHaveText([
    'sent by a bot (user agent "curl/8.5.0"): not stored. A server sending for visitors should use the secret key, or set "context.userAgent" to the visitor\'s browser.',
    'userId: must be a string or a number',
  ])
  await expect(panel.locator('.sample-meta')).toHaveText([
    `ignored: sent by a bot · curl · field – · ${botAt}`,
    `rejected: not a valid event · analytics-python · field userId · ${invalidAt}`,
  ])

  // The payload as received, folded away until asked for.
  const invalid = panel.locator('.samples li[data-reason="invalid"]')
  await expect(invalid.locator('pre')).toBeHidden()
  await invalid.getByText('Payload', { exact: true }).click()
  await expect(invalid.locator('pre')).toHaveText(answer.samples[1]?.payload ?? '')
  expect(JSON.parse((await invalid.locator('pre').textContent()) ?? '')).toMatchObject({
    messageId: 'e2e-invalid',
    userId: { x: 1 },
  })
  await screenshot(page, testInfo, 'warnings', '#warnings-view')
})
