import type { IngestionWarnings } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { formatWarnings, totalLine } from './format'

const AT = '2026-03-01T10:00:00.000Z'

describe('totalLine', () => {
  it('counts events by reason, most first, and refused requests apart', () => {
    expect(totalLine({ bot: 1, invalid: 3, rate_limited: 1, malformed: 2 })).toBe(
      '5 events not stored: 3 rejected: not a valid event, 1 ignored: sent by a bot, 1 refused: over the rate limit (429); 2 requests not stored: 2 refused: malformed request body',
    )
    expect(totalLine({ body_too_large: 1 })).toBe(
      '1 request not stored: 1 refused: request body larger than 500 KB',
    )
    expect(totalLine({})).toBe('Nothing was refused: every event received was stored.')
  })
})

describe('formatWarnings', () => {
  it('keeps the line breaks and terminal escapes that senders wrote out of the output', () => {
    const warnings: IngestionWarnings = {
      counts: [
        { reason: 'malformed', library: 'evil\u001b[2J', field: '', count: 1, first: AT, last: AT },
      ],
      totals: { malformed: 1 },
      samples: [
        {
          at: AT,
          reason: 'malformed',
          library: 'evil\u001b[2J',
          field: '',
          error: 'Malformed JSON in request body',
          payload: '{"batch":\n[\u0007',
        },
      ],
    }
    expect(formatWarnings(warnings, 10)).toBe(
      [
        '1 request not stored: 1 refused: malformed request body',
        '',
        'reason                           library   field  count  last',
        '-------------------------------  --------  -----  -----  -------------------',
        'refused: malformed request body  evil [2J  -          1  2026-03-01 10:00:00',
        '',
        'Latest samples, newest first (1 of 1):',
        'time                 reason                           library   field  error',
        '-------------------  -------------------------------  --------  -----  ------------------------------',
        '2026-03-01 10:00:00  refused: malformed request body  evil [2J  -      Malformed JSON in request body',
        '    {"batch": [',
      ].join('\n'),
    )
  })
})
