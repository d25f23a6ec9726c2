import { describe, expect, it } from 'vitest'
import { parseIsoTimestamp } from './iso'

describe('parseIsoTimestamp', () => {
  it('reads ISO dates and date-times, UTC unless an offset is given', () => {
    expect(parseIsoTimestamp('2026-03-01')).toBe(Date.UTC(2026, 2, 1))
    expect(parseIsoTimestamp('2026-03-01T10:00:00Z')).toBe(Date.UTC(2026, 2, 1, 10))
    expect(parseIsoTimestamp('2026-03-01 10:00:00')).toBe(Date.UTC(2026, 2, 1, 10))
    expect(parseIsoTimestamp('2026-03-01T10:00')).toBe(Date.UTC(2026, 2, 1, 10))
    expect(parseIsoTimestamp('2026-03-01T10:00:00.250+0100')).toBe(
      Date.UTC(2026, 2, 1, 9, 0, 0, 250),
    )
    expect(parseIsoTimestamp('2026-03-01T10:00:00-05:00')).toBe(Date.UTC(2026, 2, 1, 15))
    expect(parseIsoTimestamp('2026-03-01t10:00:00z')).toBe(Date.UTC(2026, 2, 1, 10))
    expect(parseIsoTimestamp('2024-02-29')).toBe(Date.UTC(2024, 1, 29))
  })

  it('refuses what Date.parse reads as a date but is no ISO 8601 date or day of the calendar', () => {
    for (const text of [
      '',
      '\u0000',
      '%00',
      '0',
      '1',
      ' 2020',
      'x 0',
      'Jan',
      'yesterday',
      '03/01/2026',
      '2026-1-1',
      '+002026-01-01',
      '2026-03-01 ',
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-03-01T24:00',
      '2026-03-01T10:00:00+25:00',
      '1740823200',
    ]) {
      expect(parseIsoTimestamp(text), JSON.stringify(text)).toBeUndefined()
    }
  })
})
