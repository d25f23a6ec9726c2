import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createProject } from '../projects/projects'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { DropLog, libraryOf, SAMPLE_CHARS, samplePayload } from './drops'

describe('DropLog', () => {
  beforeEach(() => {
    // The log's minute and the refused requests' second; the store's setImmediate stays real.
    vi.useFakeTimers({
      now: Date.parse('2026-03-10T12:00:00.000Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('tells the log once a minute per project and reason, summing the rest', async () => {
    const store = new SqliteStore(':memory:')
    const { project } = await createProject(store, { name: 'site' })
    const lines: string[] = []
    const drops = new DropLog({ store, now: Date.now, log: (line) => lines.push(line) })
    const invalid = (error: string) => ({
      reason: 'invalid' as const,
      library: 'analytics-python',
      field: 'userId',
      error,
    })
    await drops.record(project, [invalid('first.')])
    await drops.record(project, [invalid('second.'), invalid('third.')])
    drops.refuse(project, { reason: 'rate_limited', library: 'x', error: 'slow down.', count: 20 })
    expect(lines).toEqual([
      'touchline: project "site": 1 event not stored (rejected: not a valid event); latest from analytics-python: first. See GET /v1/ingestion/warnings or "touchline warnings".',
      'touchline: project "site": 20 events not stored (refused: over the rate limit (429)); latest from x: slow down. See GET /v1/ingestion/warnings or "touchline warnings".',
    ])
    await vi.advanceTimersByTimeAsync(60_000)
    expect(lines.slice(2)).toEqual([
      'touchline: project "site": 2 events not stored in the last minute (rejected: not a valid event); latest from analytics-python: third. See GET /v1/ingestion/warnings or "touchline warnings".',
    ])
    // A quiet minute closes the window: the next drop is told at once again.
    await vi.advanceTimersByTimeAsync(120_000)
    await drops.record(project, [invalid('later.')])
    expect(lines).toHaveLength(4)
    expect(lines[3]).toMatch(/^touchline: project "site": 1 event not stored \(rejected/)
    // The refused requests were counted within the second, folded into one record.
    expect((await store.ingestionWarnings(project.id)).totals).toEqual({
      invalid: 4,
      rate_limited: 20,
    })
  })

  it('keeps at most 100 samples per project, the latest', async () => {
    const store = new SqliteStore(':memory:')
    const { project } = await createProject(store, { name: 'site' })
    const drops = new DropLog({ store, now: Date.now, log: () => {} })
    for (let i = 0; i < 130; i++) {
      await drops.record(project, [
        { reason: 'invalid', library: `lib-${i}`, field: '', error: `error ${i}` },
      ])
    }
    const { samples, counts } = await store.ingestionWarnings(project.id)
    expect(samples).toHaveLength(100)
    expect(samples[0]?.error).toBe('error 129')
    expect(samples[99]?.error).toBe('error 30')
    expect(counts).toHaveLength(130)
  })
})

describe('samplePayload', () => {
  it('cuts what is nested too deep or too long to show, without overflowing the stack', () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 5_000; i++) deep = { a: deep }
    expect(samplePayload({ type: 'track', properties: deep })).toBe(
      '{"type":"track","properties":{"a":{"a":{"a":{"a":{"a":{"a":{"a":"…"}}}}}}}}',
    )
    const batch = samplePayload({ batch: Array.from({ length: 100_000 }, (_, i) => i) })
    expect(JSON.parse(batch)).toEqual({ batch: Array.from({ length: 50 }, (_, i) => i) })
  })

  it('drops IP addresses and truncates', () => {
    expect(
      samplePayload({ context: { ip: '203.0.113.7', page: { url: 'u' } }, request_ip: '1.2.3.4' }),
    ).toBe('{"context":{"page":{"url":"u"}}}')
    const long = samplePayload({ blob: 'x'.repeat(5_000) })
    expect(long).toHaveLength(SAMPLE_CHARS)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('libraryOf', () => {
  it('names the library by context.library.name, else a non-browser User-Agent', () => {
    expect(libraryOf({ context: { library: { name: 'analytics.js' } } }, 'Mozilla/5.0')).toBe(
      'analytics.js',
    )
    expect(libraryOf({}, 'analytics-python/2.3.3')).toBe('analytics-python')
    expect(libraryOf({}, 'curl/8.5.0')).toBe('curl')
    expect(libraryOf({}, 'Mozilla/5.0 (X11; Linux x86_64)')).toBe('(unknown)')
    expect(libraryOf(undefined, null)).toBe('(unknown)')
  })
})
