import { MODELS } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DERIVATION, ECHOED_QUERY } from '../testing/journeys'
import { sampleJourneys } from '../testing/sample-journeys'

const credit = (conversions: number, value: number, share: number) => ({
  conversions: expect.closeTo(conversions, 12),
  value: expect.closeTo(value, 9),
  share: expect.closeTo(share, 12),
})

describe('GET /v1/reports/compare', () => {
  it('puts the chosen models side by side over the same journeys', async () => {
    const { get } = await sampleJourneys()
    const { status, body } = await get(
      'compare',
      'conversion=demo_request&models=first_touch,last_touch,linear',
    )
    expect(status).toBe(200)
    // Ada: linkedin > google > saastr (offline), 1000; Bob and Eve: google, 500 and 2000;
    // Carol: no touch. Rows follow first_touch, then key.
    expect(body).toEqual({
      derivation: DEFAULT_DERIVATION,
      ...ECHOED_QUERY,
      halfLifeDays: 7,
      models: ['first_touch', 'last_touch', 'linear'],
      totals: { conversions: 4, value: 3500 },
      rows: [
        {
          key: 'google',
          credits: {
            first_touch: credit(2, 2500, 0.5),
            last_touch: credit(2, 2500, 0.5),
            linear: credit(7 / 3, 2500 + 1000 / 3, 7 / 12),
          },
        },
        {
          key: '(unattributed)',
          credits: {
            first_touch: credit(1, 0, 0.25),
            last_touch: credit(1, 0, 0.25),
            linear: credit(1, 0, 0.25),
          },
        },
        {
          key: 'linkedin',
          credits: {
            first_touch: credit(1, 1000, 0.25),
            last_touch: credit(0, 0, 0),
            linear: credit(1 / 3, 1000 / 3, 1 / 12),
          },
        },
        {
          key: 'saastr',
          credits: {
            first_touch: credit(0, 0, 0),
            last_touch: credit(1, 1000, 0.25),
            linear: credit(1 / 3, 1000 / 3, 1 / 12),
          },
        },
      ],
    })
  })

  it('compares all nine models by default, the data-driven ones learning from non-converters', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get('compare', 'conversion=demo_request')
    expect(body.models).toEqual([...MODELS])
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual([
      'google',
      '(unattributed)',
      'linkedin',
      'saastr',
    ])
    for (const row of body.rows) expect(Object.keys(row.credits)).toEqual([...MODELS])
    // Markov: start → linkedin 2 (Ada, Finn), google 2, newsletter 1 (Dee); P(conversion) =
    // 3/5; removal effects google 1, linkedin 1/3, saastr 1/3 → 3/5, 1/5, 1/5 of 3.
    const markov = body.rows.map((row: { credits: Record<string, unknown> }) => row.credits.markov)
    expect(markov).toEqual([
      credit(1.8, 2100, 0.45),
      credit(1, 0, 0.25),
      credit(0.6, 700, 0.15),
      credit(0.6, 700, 0.15),
    ])
  })

  it('makes the journey the account’s at level=account', async () => {
    const { get } = await sampleJourneys()
    const { body } = await get(
      'compare',
      'conversion=demo_request&models=first_touch&level=account',
    )
    // Eve's account (globex.com) first came through Dee's newsletter visit.
    expect(body.rows).toEqual([
      { key: '(unattributed)', credits: { first_touch: credit(1, 0, 0.25) } },
      { key: 'google', credits: { first_touch: credit(1, 500, 0.25) } },
      { key: 'linkedin', credits: { first_touch: credit(1, 1000, 0.25) } },
      { key: 'newsletter', credits: { first_touch: credit(1, 2000, 0.25) } },
    ])
  })

  it('exports CSV: one line per key, three columns per model', async () => {
    const { get } = await sampleJourneys()
    const { type, text } = await get(
      'compare',
      'conversion=demo_request&models=first_touch,last_touch&format=csv',
    )
    expect(type).toBe('text/csv; charset=utf-8')
    expect(text).toBe(
      [
        'source,first_touch conversions,first_touch value,first_touch share,last_touch conversions,last_touch value,last_touch share',
        'google,2,2500,0.5,2,2500,0.5',
        '(unattributed),1,0,0.25,1,0,0.25',
        'linkedin,1,1000,0.25,0,0,0',
        'saastr,0,0,0,1,1000,0.25',
        '',
      ].join('\r\n'),
    )
  })

  it('answers invalid models with 400 naming the parameter and the allowed values', async () => {
    const { get } = await sampleJourneys()
    const models = `"models" must be "all" or a comma-separated list of: ${MODELS.join(', ')}`
    expect(await get('compare', 'conversion=demo_request&models=linear,ga4')).toMatchObject({
      status: 400,
      body: { success: false, error: models },
    })
    expect((await get('compare', 'conversion=demo_request&models=')).body.error).toBe(models)
    // With the common parameters' problems, in one answer.
    expect((await get('compare', 'models=ga4&level=household')).body.error).toBe(
      [
        '"conversion" is required: the track event name to attribute',
        '"level" must be one of: person, account',
        models,
      ].join('; '),
    )
  })

  it('needs the secret key', async () => {
    const { get, writeKey } = await sampleJourneys()
    expect((await get('compare', 'conversion=demo_request', writeKey)).status).toBe(403)
  })
})
