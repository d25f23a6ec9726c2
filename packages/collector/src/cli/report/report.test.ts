import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { DAY, identify, MIN, RANGE, T0, track, visit } from '../../testing/journeys'
import { useTestCollector } from '../../testing/test-collector'

const CLI = fileURLToPath(new URL('../main.ts', import.meta.url))
const SECRET_KEY = 'sk_cli_report_0123456789abcdefghij'
const collector = useTestCollector({
  writeKey: 'wk_cli_report_0123456789',
  secretKey: SECRET_KEY,
})

beforeAll(async () => {
  const batch = [
    visit('a1', 'ada', T0, 'https://acme.test/?utm_source=linkedin&utm_medium=paid_social'),
    visit('a2', 'ada', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
    identify('a3', T0 + DAY + MIN, { anonymousId: 'ada' }, 'ada@acme.com'),
    track('a4', T0 + 2 * DAY, { anonymousId: 'ada' }, 'demo_request', {
      properties: { value: 900 },
    }),
    visit('b1', 'bob', T0 + DAY, 'https://acme.test/?utm_source=google&utm_medium=cpc'),
    track('b2', T0 + DAY + MIN, { anonymousId: 'bob' }, 'demo_request', {
      properties: { value: 100 },
    }),
  ]
  const res = await fetch(`${collector().url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET_KEY}` },
    body: JSON.stringify({ batch }),
  })
  expect(res.status).toBe(200)
})

const [from, to] = ['2026-02-01', '2026-03-01'] as const // RANGE's days

async function touchline(...args: string[]) {
  const run = promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    CLI,
    ...args,
    '--url',
    collector().url,
    '--key',
    SECRET_KEY,
  ])
  return run.then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
}

describe('touchline report', () => {
  it('prints one model as an aligned table', async () => {
    const { stdout } = await touchline(
      'report',
      '--conversion',
      'demo_request',
      '--model',
      'linear',
      '--group-by',
      'channel',
      '--from',
      from,
      '--to',
      to,
    )
    expect(stdout).toBe(
      [
        'demo_request: linear by channel (person level)',
        '2026-02-01 to 2026-03-01 (exclusive), lookback 90 days',
        '2 conversions, value 1000',
        '',
        'channel      conversions  value  share',
        '-----------  -----------  -----  -----',
        'Paid Search         1.50    550  75.0%',
        'Paid Social         0.50    450  25.0%',
        '',
      ].join('\n'),
    )
  })

  it('compares models side by side, or prints the API’s CSV and JSON', async () => {
    const common = ['--conversion', 'demo_request', '--from', from, '--to', to]
    const compared = await touchline('report', ...common, '--compare', 'first_touch,last_touch')
    expect(compared.stdout.split('\n').slice(4)).toEqual([
      'source    first_touch  last_touch',
      '--------  -----------  ----------',
      'google              1           2',
      'linkedin            1           0',
      '',
    ])
    const csv = await touchline('report', ...common, '--model', 'last_touch', '--format', 'csv')
    const api = await fetch(
      `${collector().url}/v1/reports/attribution?conversion=demo_request&model=last_touch&format=csv&${RANGE}`,
      { headers: { authorization: `Bearer ${SECRET_KEY}` } },
    )
    expect(csv.stdout).toBe(await api.text())
    const json = await touchline('report', ...common, '--format', 'json')
    expect(JSON.parse(json.stdout)).toMatchObject({
      model: 'first_touch',
      totals: { conversions: 2 },
    })
  })

  it('fails with the API’s own message', async () => {
    const failed = await touchline('report', '--conversion', 'demo_request', '--model', 'ga4')
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain('touchline: "model" must be one of: first_touch, last_touch')
    const missing = await touchline('report')
    expect(missing.stderr).toContain('"conversion" is required')
  })
})

describe('touchline journey', () => {
  it('prints a person’s journey found by email, userId or anonymous ID', async () => {
    const { stdout } = await touchline('journey', 'ada@acme.com', '--conversion', 'demo_request')
    expect(stdout).toContain('email:ada@acme.com')
    expect(stdout).toContain('demo_request: converted 2026-02-04, value 900')
    expect(stdout).toContain('2 sessions, 2 touches, 2.0 days from the first touch')
    expect(stdout).toContain('channels: Paid Social > Paid Search')
    const anonymous = await touchline('journey', 'bob')
    expect(anonymous.stdout).toContain('anon:bob')
    expect(anonymous.stdout).toContain('Paid Search: google / cpc')
  })
})
