import type { Acquisition } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { TouchTable } from './touch-table'

const acquisition = (source: string): Acquisition => ({
  source,
  medium: 'cpc',
  campaign: '(not set)',
  content: '(not set)',
  term: '(not set)',
  landingPage: '/',
})

describe('TouchTable', () => {
  it('gives a number back only once it is neither current nor placed', () => {
    const table = new TouchTable()
    const a = table.add(1, 2, 3, acquisition('google'), false, 'anon-1')
    table.place(a)
    table.retire(a)
    // Still placed: a new touch gets another number.
    const b = table.add(4, 5, 6, acquisition('bing'), false, 'anon-1')
    expect(b).not.toBe(a)
    expect(table.touch(a)).toEqual({
      time: 1,
      end: 2,
      acquisition: acquisition('google'),
      offline: false,
      anonymousId: 'anon-1',
    })
    table.unplace(a)
    const c = table.add(7, 7, 0, acquisition('linkedin'), true, null)
    expect(c).toBe(a)
    expect(table.touch(c)).toEqual({
      time: 7,
      end: 7,
      acquisition: acquisition('linkedin'),
      offline: true,
      anonymousId: null,
    })
    expect(table.reach(b)).toBe(6)
  })

  it('keeps equal acquisitions once, and grows past its first capacity', () => {
    const table = new TouchTable()
    const touches = Array.from({ length: 5_000 }, (_, i) =>
      table.add(i, i + 1, 0, acquisition(i % 2 ? 'google' : 'bing'), false, `anon-${i}`),
    )
    expect(table.acquisitionCount).toBe(2)
    expect(touches.map((touch) => table.time(touch))).toEqual(touches.map((_, i) => i))
    expect(table.acquisition(table.acquisitionIdOf(touches[4_999] as number)).source).toBe('google')
    expect(table.touch(touches[4_998] as number).anonymousId).toBe('anon-4998')
  })

  it('keeps session ids through growth, reuse and the compaction of retired ones', () => {
    const table = new TouchTable()
    const ids = new Map<number, string | null>()
    // Many rounds of sessions replaced: their ids' room is taken back, the current ones stay.
    for (let round = 0; round < 40; round++) {
      for (const [touch] of ids) {
        if ((touch + round) % 3 === 0) {
          table.retire(touch)
          ids.delete(touch)
        }
      }
      for (let i = 0; i < 500; i++) {
        const id = i % 7 === 0 ? null : `session-${round}-${i}-é${'x'.repeat(i % 30)}`
        ids.set(table.add(round, round, 0, acquisition('google'), false, 'anon', id), id)
      }
    }
    for (const [touch, id] of ids) expect(table.sessionId(touch)).toBe(id)
    const [touch, id] = [...ids].find(([, id]) => id !== null) as [number, string]
    expect(table.session(touch)).toEqual({
      id,
      seq: 0,
      start: table.time(touch),
      end: table.end(touch),
      acquisition: acquisition('google'),
    })
  })
})
