import { describe, expect, it } from 'vitest'
import { csvName, csvOf } from './csv'
import {
  daysBefore,
  formatConversions,
  formatShare,
  formatTime,
  formatValue,
  nextDay,
} from './format'
import { ranksOf, shiftLabel, shiftOf } from './ranks'

describe('formatting', () => {
  it('writes conversions, values, shares and times as the tables show them', () => {
    expect(formatConversions(2.3333333)).toBe('2.33')
    expect(formatConversions(12345)).toBe('12,345')
    expect(formatValue(1077900.4)).toBe('1,077,900')
    expect(formatShare(0.3456)).toBe('34.6%')
    expect(formatShare(0)).toBe('0.0%')
    expect(formatTime('2026-03-01T10:05:42.000Z')).toBe('2026-03-01 10:05')
  })

  it('turns the inclusive last day into the API’s exclusive end, across months and years', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01')
    expect(nextDay('2026-12-31')).toBe('2027-01-01')
    expect(daysBefore('2026-03-01', 89)).toBe('2025-12-02')
  })
})

describe('ranks', () => {
  it('ranks by descending value, ties sharing a rank (1, 2, 2, 4)', () => {
    const ranks = ranksOf(
      new Map([
        ['google', 3],
        ['linkedin', 1],
        ['email', 1 / 3 + 2 / 3],
        ['direct', 0.5],
      ]),
    )
    expect(Object.fromEntries(ranks)).toEqual({ google: 1, linkedin: 2, email: 2, direct: 4 })
  })

  it('says how a rank moved from the baseline, in symbols and in words', () => {
    expect(shiftOf(1, 3)).toBe(2)
    expect(shiftLabel(2, 'First touch')).toEqual({
      symbol: '▲2',
      words: 'up 2 places from First touch',
    })
    expect(shiftLabel(-1, 'First touch')).toEqual({
      symbol: '▼1',
      words: 'down 1 place from First touch',
    })
    expect(shiftLabel(0, 'First touch')).toEqual({
      symbol: '=',
      words: 'same rank as First touch',
    })
  })
})

describe('csvOf', () => {
  it('quotes what needs quoting and leaves missing cells empty', () => {
    expect(
      csvOf([
        ['path', 'conversions', 'credit'],
        ['google > "brand", email', 2, null],
        ['line\nbreak', 0.5, undefined],
      ]),
    ).toBe('path,conversions,credit\r\n"google > ""brand"", email",2,\r\n"line\nbreak",0.5,\r\n')
  })

  it('names files from the view and its query', () => {
    expect(csvName('models', 'demo_request', 'source_medium')).toBe(
      'models-demo_request-source_medium.csv',
    )
    expect(csvName('people', 'closed_won', 'google / cpc')).toBe('people-closed_won-google-cpc.csv')
  })
})
