import { MODELS } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { controlsFromUrl, defaultControls, problemOf, reportParams, urlOf } from './controls'

const TODAY = Date.parse('2026-03-15T16:30:00Z')
const NAMES = [
  { name: 'page_action', events: 900, value: 0, first: '', last: '' },
  { name: 'form_submit', events: 300, value: 0, first: '', last: '' },
  { name: 'demo_request', events: 120, value: 0, first: '', last: '' },
]

describe('controls', () => {
  it('opens on the last 90 days of the most telling conversion, every model compared', () => {
    expect(defaultControls(NAMES, TODAY)).toEqual({
      conversion: 'demo_request',
      from: '2025-12-16',
      through: '2026-03-15',
      lookbackDays: '',
      groupBy: 'channel',
      level: 'person',
      halfLifeDays: '7',
      metric: 'conversions',
      models: [...MODELS],
      windowModel: 'linear',
    })
    expect(defaultControls(NAMES.slice(0, 1), TODAY).conversion).toBe('page_action')
    expect(defaultControls([], TODAY).conversion).toBe('')
  })

  it('asks the API for the inclusive days, leaving the project’s lookback when none is given', () => {
    const controls = { ...defaultControls(NAMES, TODAY), halfLifeDays: '3.5' }
    expect(reportParams(controls)).toEqual({
      conversion: 'demo_request',
      from: '2025-12-16',
      to: '2026-03-16',
      groupBy: 'channel',
      level: 'person',
      lookbackDays: undefined,
      halfLifeDays: '3.5',
    })
    expect(reportParams({ ...controls, lookbackDays: ' 30 ' }).lookbackDays).toBe('30')
  })

  it('round-trips the settings through the page URL, which never holds the key', () => {
    const defaults = defaultControls(NAMES, TODAY)
    const chosen = {
      ...defaults,
      conversion: 'form_submit',
      lookbackDays: '30',
      groupBy: 'source_medium' as const,
      level: 'account' as const,
      metric: 'value' as const,
      models: ['linear' as const, 'markov' as const],
      windowModel: 'shapley' as const,
    }
    const url = urlOf(chosen)
    expect(url).not.toMatch(/sk_|key=/)
    expect(controlsFromUrl(url, defaults)).toEqual(chosen)
    expect(controlsFromUrl('?groupBy=country&models=nope&level=team&from=soon', defaults)).toEqual(
      defaults,
    )
  })

  it('names what is wrong before asking the API', () => {
    const controls = defaultControls(NAMES, TODAY)
    expect(problemOf(controls)).toBeUndefined()
    expect(problemOf({ ...controls, from: '2026-04-01' })).toBe(
      '"From" must be on or before "Through".',
    )
    expect(problemOf({ ...controls, models: [] })).toBe('Choose at least one model.')
    expect(problemOf({ ...controls, conversion: '' })).toBe(
      'Choose a conversion: the collector has no track events yet.',
    )
  })
})
