import { GROUP_BYS, MODELS } from '@touchline/shared'
import { afterEach, describe, expect, it } from 'vitest'
import { errorBody } from '../app'
import type { Store } from '../store/store'
import { DEFAULT_DERIVATION, ECHOED_QUERY, RANGE } from '../testing/journeys'
import { testStores } from '../testing/stores'
import { createTestApp } from '../testing/test-app'

const T0 = Date.parse('2026-02-01T09:00:00.000Z')
const HOUR = 3_600_000
const DAY = 24 * HOUR
const at = (ms: number) => new Date(ms).toISOString()

const visit = (
  messageId: string,
  anonymousId: string,
  time: number,
  url: string,
  referrer?: string,
) => ({
  type: 'page',
  messageId,
  anonymousId,
  timestamp: at(time),
  context: { page: { url, ...(referrer ? { referrer } : {}) } },
})
const track = (
  messageId: string,
  anonymousId: string,
  time: number,
  event: string,
  properties = {},
) => ({
  type: 'track',
  event,
  messageId,
  anonymousId,
  timestamp: at(time),
  properties,
})

/** Two visitors: Ada (LinkedIn ad, then Google ad a day later, then converts), Bob (direct). */
async function seeded(store: Store) {
  const ctx = await createTestApp({ store })
  const res = await ctx.post(
    '/v1/batch',
    {
      batch: [
        visit('a1', 'ada', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social'),
        visit('a2', 'ada', T0 + 60_000, 'https://acme.test/pricing', 'https://acme.test/'),
        visit('a3', 'ada', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
        visit('a4', 'ada', T0 + DAY + 60_000, 'https://acme.test/demo', 'https://acme.test/'),
        track('a5', 'ada', T0 + DAY + 120_000, 'demo_request', { revenue: 300 }),
        track('a6', 'ada', T0 + 2 * DAY, 'demo_request', { revenue: 100 }),
        visit('b1', 'bob', T0 + 2 * HOUR, 'https://acme.test/'),
        visit(
          'b2',
          'bob',
          T0 + 3 * HOUR,
          'https://acme.test/blog',
          'https://news.ycombinator.com/item?id=1',
        ),
        track('b3', 'bob', T0 + 3 * HOUR + 60_000, 'demo_request'),
        track('c1', 'carol', T0 + 4 * HOUR, 'demo_request'),
      ],
    },
    { headers: { authorization: `Bearer ${ctx.secretKey}` } },
  )
  expect(await res.json()).toMatchObject({ accepted: 10, rejected: [] })
  const report = async (query: string, key = ctx.secretKey) => {
    const res = await ctx.app.request(`/v1/reports/attribution?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    })
    return { status: res.status, body: await res.json() }
  }
  return { ...ctx, report }
}

// Every report, on every engine: the same answers from SQLite and PostgreSQL.
describe.each(testStores())('on $name', ({ make }) => {
  const opened: Store[] = []
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close()
  })
  const seededOn = async () => {
    const store = await make()
    opened.push(store)
    return seeded(store)
  }

  describe('GET /v1/reports/attribution', () => {
    it('credits the first touch of each journey', async () => {
      const { report } = await seededOn()
      const { status, body } = await report(
        `conversion=demo_request&model=first_touch&groupBy=source&${RANGE}`,
      )
      expect(status).toBe(200)
      expect(body).toEqual({
        derivation: DEFAULT_DERIVATION,
        model: 'first_touch',
        ...ECHOED_QUERY,
        totals: { conversions: 3, value: 300 },
        rows: [
          { key: '(direct)', conversions: 1, value: 0, share: 1 / 3 },
          { key: '(unattributed)', conversions: 1, value: 0, share: 1 / 3 },
          { key: 'linkedin', conversions: 1, value: 300, share: 1 / 3 },
        ],
      })
    })

    it('credits the last touch: a new campaign and a new external referrer start new touches', async () => {
      const { report } = await seededOn()
      const { body } = await report(
        `conversion=demo_request&model=last_touch&groupBy=source_medium&${RANGE}`,
      )
      expect(body.rows).toEqual([
        { key: '(unattributed)', conversions: 1, value: 0, share: 1 / 3 },
        { key: 'google / cpc', conversions: 1, value: 300, share: 1 / 3 },
        { key: 'hacker news / social', conversions: 1, value: 0, share: 1 / 3 },
      ])
    })

    it('counts every conversion with occurrence=all', async () => {
      const { report } = await seededOn()
      const { body } = await report(
        `conversion=demo_request&model=first_touch&occurrence=all&${RANGE}`,
      )
      expect(body.totals).toEqual({ conversions: 4, value: 400 })
      expect(body.rows[0]).toEqual({ key: 'linkedin', conversions: 2, value: 400, share: 0.5 })
    })

    it('leaves touches before the lookback window out of the journey', async () => {
      const { report } = await seededOn()
      const { body } = await report(
        `conversion=demo_request&model=first_touch&lookbackDays=1&${RANGE}`,
      )
      expect(body.rows.find((row: { key: string }) => row.key === 'google')).toEqual({
        key: 'google',
        conversions: 1,
        value: 300,
        share: 1 / 3,
      })
    })

    it('bounds conversions by from (inclusive) and to (exclusive)', async () => {
      const { report } = await seededOn()
      const { body } = await report(
        `conversion=demo_request&model=first_touch&from=${at(T0 + 3 * HOUR + 60_000)}&to=${at(T0 + 4 * HOUR)}`,
      )
      expect(body.totals).toEqual({ conversions: 1, value: 0 })
      expect(body.rows).toEqual([{ key: '(direct)', conversions: 1, value: 0, share: 1 }])
    })

    it('exports CSV', async () => {
      const { app, secretKey } = await seededOn()
      const res = await app.request(
        `/v1/reports/attribution?conversion=demo_request&model=last_touch&format=csv&${RANGE}`,
        { headers: { authorization: `Bearer ${secretKey}` } },
      )
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(await res.text()).toBe(
        'source,conversions,value,share\r\n(unattributed),1,0,0.3333333333333333\r\ngoogle,1,300,0.3333333333333333\r\nhacker news,1,0,0.3333333333333333\r\n',
      )
    })

    it('needs the secret key', async () => {
      const { report, writeKey } = await seededOn()
      const { status, body } = await report(`conversion=demo_request&${RANGE}`, writeKey)
      expect(status).toBe(403)
      expect(body.error).toBe(
        'Reports need the secret key ("sk_…"); the write key can only send events.',
      )
      expect((await report(`conversion=demo_request`, 'sk_wrongwrongwrongwrong')).status).toBe(401)
    })

    it('answers invalid parameters with 400 naming the parameter and the allowed values', async () => {
      const { report } = await seededOn()
      const invalid = 'model=ga4&groupBy=country&level=household&from=yesterday'
      expect(await report(invalid)).toEqual({
        status: 400,
        body: errorBody(
          400,
          [
            '"conversion" is required: the track event name to attribute',
            `"model" must be one of: ${MODELS.join(', ')}`,
            '"from" must be an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T10:00:00Z (UTC unless it has an offset)',
            `"groupBy" must be one of: ${GROUP_BYS.join(', ')}`,
            '"level" must be one of: person, account',
          ].join('; '),
        ),
      })
      expect((await report('conversion=x&halfLifeDays=0')).body.error).toBe(
        '"halfLifeDays" must be a number of days from 0.1 to 365',
      )
      expect((await report('conversion=x&lookbackDays=0')).body.error).toBe(
        '"lookbackDays" must be a whole number of days from 1 to 730',
      )
      expect((await report('conversion=x&from=2026-03-01&to=2026-02-01')).body.error).toBe(
        '"from" must be before "to"',
      )
    })
  })

  describe('project scoping', () => {
    it('never shows one project’s data to another project’s key', async () => {
      const { app, store, report } = await seededOn()
      const { createProject } = await import('../projects/projects')
      const other = await createProject(store, { name: 'other' })
      const res = await app.request(`/v1/reports/attribution?conversion=demo_request&${RANGE}`, {
        headers: { authorization: `Bearer ${other.secretKey}` },
      })
      expect((await res.json()).totals).toEqual({ conversions: 0, value: 0 })
      expect((await report(`conversion=demo_request&${RANGE}`)).body.totals.conversions).toBe(3)
    })
  })
})
