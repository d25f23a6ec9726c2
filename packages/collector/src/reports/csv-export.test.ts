import { describe, expect, it } from 'vitest'
import { HOUR, MIN, RANGE, setup, T0, track, visit } from '../testing/journeys'

// Cells a spreadsheet would run as formulas (OWASP, "CSV Injection"). Ingest trims campaigns
// and user IDs, so the leading tab and CR reach the export as `=1+1` and `@A1`.
const PAYLOADS = [
  '=HYPERLINK("http://x","y")',
  "+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(1+1)',
  '\t=1+1',
  '\r@A1',
]

/** A visitor per payload: arrives from the campaign so named, then converts as that user. */
async function seeded() {
  const ctx = await setup()
  await ctx.send(
    ...PAYLOADS.flatMap((payload, i) => [
      visit(
        `v${i}`,
        `anon-${i}`,
        T0 + i * HOUR,
        `https://acme.test/?utm_source=ads&utm_campaign=${encodeURIComponent(payload)}`,
      ),
      track(`c${i}`, T0 + i * HOUR + MIN, { anonymousId: `anon-${i}`, userId: payload }),
    ]),
  )
  const csv = async (path: string, query: string) => {
    const res = await ctx.app.request(
      `/v1/reports/${path}?conversion=demo_request&${query}&${RANGE}&format=csv`,
      { headers: { authorization: `Bearer ${ctx.secretKey}` } },
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    return res.text()
  }
  return { ...ctx, csv }
}

const lines = (...rows: string[]) => rows.map((row) => `${row}\r\n`).join('')
const SHARE = 1 / 6
// The campaigns as every keyed export writes them, in the reports' order.
const KEYS = [
  "'-2+3",
  "'@A1",
  "'@SUM(1+1)",
  "'+cmd|' /C calc'!A0",
  "'=1+1",
  `"'=HYPERLINK(""http://x"",""y"")"`,
]

describe('CSV exports', () => {
  it('neutralise the keys of the attribution report', async () => {
    const { csv } = await seeded()
    expect(await csv('attribution', 'groupBy=campaign')).toBe(
      lines('campaign,conversions,value,share', ...KEYS.map((key) => `${key},1,0,${SHARE}`)),
    )
  })

  it('neutralise the keys of the comparison', async () => {
    const { csv } = await seeded()
    expect(await csv('compare', 'groupBy=campaign&models=first_touch')).toBe(
      lines(
        'campaign,first_touch conversions,first_touch value,first_touch share',
        ...KEYS.map((key) => `${key},1,0,${SHARE}`),
      ),
    )
  })

  it('neutralise the top paths', async () => {
    const { csv } = await seeded()
    expect(await csv('journeys', 'groupBy=campaign')).toBe(
      lines('path,conversions,value,share', ...KEYS.map((key) => `${key},1,0,${SHARE}`)),
    )
  })

  it('neutralise the keys of the influenced report', async () => {
    const { csv } = await seeded()
    expect(await csv('influenced', 'groupBy=campaign')).toBe(
      lines('campaign,conversions,value,share', ...KEYS.map((key) => `${key},1,0,${SHARE}`)),
    )
  })

  it('neutralise the people behind a key', async () => {
    const { csv } = await seeded()
    expect(await csv('people', 'key=ads')).toBe(
      lines(
        'person,conversion time,value,touches,key touches,first_touch credit',
        `"'=HYPERLINK(""http://x"",""y"")",2026-02-02T09:01:00.000Z,0,1,1,1`,
        "'+cmd|' /C calc'!A0,2026-02-02T10:01:00.000Z,0,1,1,1",
        "'-2+3,2026-02-02T11:01:00.000Z,0,1,1,1",
        "'@SUM(1+1),2026-02-02T12:01:00.000Z,0,1,1,1",
        "'=1+1,2026-02-02T13:01:00.000Z,0,1,1,1",
        "'@A1,2026-02-02T14:01:00.000Z,0,1,1,1",
      ),
    )
  })
})
