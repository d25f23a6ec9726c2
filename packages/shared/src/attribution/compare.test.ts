import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareModels } from './compare'
import { MODELS } from './models'
import { attribute, keyPathsOf, UNATTRIBUTED } from './report'
import { byOwner, journeyArbitraries, keyedTouch, THREE_JOURNEYS } from './testing'

describe('compareModels', () => {
  const { touchesByOwner, conversions } = THREE_JOURNEYS

  it('puts each model’s credit side by side, 0 where a model credits nothing', () => {
    const result = compareModels({
      models: ['first_touch', 'last_touch', 'linear'],
      lookbackDays: 30,
      conversions,
      touchesByOwner,
    })
    expect(result).toEqual({
      models: ['first_touch', 'last_touch', 'linear'],
      totals: { conversions: 3, value: 1500 },
      rows: [
        {
          key: UNATTRIBUTED,
          credits: {
            first_touch: { conversions: 1, value: 0, share: 1 / 3 },
            last_touch: { conversions: 1, value: 0, share: 1 / 3 },
            linear: { conversions: 1, value: 0, share: 1 / 3 },
          },
        },
        {
          key: 'google',
          credits: {
            first_touch: { conversions: 1, value: 500, share: 1 / 3 },
            last_touch: { conversions: 2, value: 1500, share: 2 / 3 },
            linear: { conversions: 1.5, value: 1000, share: 0.5 },
          },
        },
        {
          key: 'linkedin',
          credits: {
            first_touch: { conversions: 1, value: 1000, share: 1 / 3 },
            last_touch: { conversions: 0, value: 0, share: 0 },
            linear: { conversions: 0.5, value: 500, share: 1 / 6 },
          },
        },
      ],
    })
  })

  it('orders the rows by the first model', () => {
    const result = compareModels({
      models: ['last_touch', 'first_touch'],
      lookbackDays: 30,
      conversions,
      touchesByOwner,
    })
    expect(result.rows.map((row) => row.key)).toEqual(['google', UNATTRIBUTED, 'linkedin'])
  })
})

describe('compareModels invariants', () => {
  const input = fc.record({
    models: fc.uniqueArray(fc.constantFrom(...MODELS), { minLength: 1 }),
    ...journeyArbitraries(keyedTouch()),
  })

  it('gives every key every model, each column equal to that model’s own report', () => {
    fc.assert(
      fc.property(input, (generated) => {
        const common = {
          lookbackDays: generated.lookbackDays,
          conversions: generated.conversions,
          touchesByOwner: byOwner(generated.touches),
          nonConverting: keyPathsOf(generated.nonConverting),
        }
        const result = compareModels({ ...common, models: generated.models })
        expect(result.models).toEqual(generated.models)
        for (const model of generated.models) {
          const alone = attribute({ ...common, model })
          expect(result.totals).toEqual(alone.totals)
          const column = result.rows
            .map((row) => ({ key: row.key, ...row.credits[model] }))
            .filter((row) => (row.conversions ?? 0) > 0)
          const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : 1)
          expect(column.sort(byKey)).toEqual([...alone.rows].sort(byKey))
          for (const row of result.rows) expect(Object.keys(row.credits)).toEqual(generated.models)
        }
      }),
    )
  })
})
