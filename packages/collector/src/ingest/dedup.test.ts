import { describe, expect, it } from 'vitest'
import { at, DAY, HOUR, RANGE, T0 } from '../testing/journeys'
import { createTestApp } from '../testing/test-app'

const WON = 'crm-opp-4242-won'
const NOW = T0 + 10 * DAY

/** A real app whose clock reads NOW, with helpers for both keys and the closed_won report. */
async function dedupApp() {
  const ctx = await createTestApp({ now: () => NOW })
  const secret = { authorization: `Bearer ${ctx.secretKey}` }
  const sendWith = async (key: 'write' | 'secret', event: Record<string, unknown>) => {
    const res =
      key === 'secret'
        ? await ctx.post('/v1/batch', { batch: [event] }, { headers: secret })
        : await ctx.post('/v1/batch', { writeKey: ctx.writeKey, batch: [event] })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true, accepted: 1, rejected: [], ignored: [] })
  }
  const wonTotals = async () => {
    const res = await ctx.app.request(
      `/v1/reports/attribution?conversion=closed_won&groupBy=channel&${RANGE}`,
      { headers: secret },
    )
    expect(res.status).toBe(200)
    return ((await res.json()) as { totals: unknown }).totals
  }
  const stored = () =>
    ctx.rows(
      'SELECT message_id, trusted, type, event, anonymous_id, user_id, value FROM events ORDER BY id',
    )
  return { ...ctx, sendWith, wonTotals, stored }
}

/** The CRM's deal, sent by a server with the secret key. */
const crmWon = {
  type: 'track',
  event: 'closed_won',
  messageId: WON,
  userId: 'u-42',
  timestamp: at(T0 + 2 * DAY),
  properties: { revenue: 12000 },
}
/** What anyone who read the script tag can send with the public write key. */
const forgedPage = {
  type: 'page',
  messageId: WON,
  anonymousId: 'mallory',
  timestamp: at(NOW - HOUR),
  context: { page: { url: 'https://acme.test/' } },
}
const forgedWon = {
  type: 'track',
  event: 'closed_won',
  messageId: WON,
  anonymousId: 'mallory',
  timestamp: at(NOW - HOUR),
  properties: { revenue: 1 },
}

const secretRow = {
  message_id: WON,
  trusted: 1,
  type: 'track',
  event: 'closed_won',
  anonymous_id: null,
  user_id: 'u-42',
  value: 12000,
}
const forgedPageRow = {
  message_id: WON,
  trusted: 0,
  type: 'page',
  event: null,
  anonymous_id: 'mallory',
  user_id: null,
  value: null,
}

describe('deduplication by messageId, per key', () => {
  it('stores a secret-key event whose messageId a write-key event took first', async () => {
    const { sendWith, stored, wonTotals } = await dedupApp()
    await sendWith('write', forgedPage)
    await sendWith('secret', crmWon)
    expect(stored()).toEqual([forgedPageRow, secretRow])
    expect(await wonTotals()).toEqual({ conversions: 1, value: 12000 })
  })

  it('keeps deduplicating the retries of each key', async () => {
    const { sendWith, stored, wonTotals } = await dedupApp()
    await sendWith('write', forgedPage)
    await sendWith('secret', crmWon)
    await sendWith('secret', crmWon)
    await sendWith('write', forgedPage)
    // A retry that changed is still the same event: the first one stored stays.
    await sendWith('secret', { ...crmWon, properties: { revenue: 99 } })
    await sendWith('write', { ...forgedPage, anonymousId: 'eve' })
    expect(stored()).toEqual([forgedPageRow, secretRow])
    expect(await wonTotals()).toEqual({ conversions: 1, value: 12000 })
  })

  it('never lets a later write-key event replace a secret-key one', async () => {
    const { sendWith, stored, wonTotals } = await dedupApp()
    await sendWith('secret', crmWon)
    await sendWith('write', forgedPage)
    await sendWith('write', forgedPage)
    await sendWith('secret', crmWon)
    expect(stored()).toEqual([secretRow, forgedPageRow])
    expect(await wonTotals()).toEqual({ conversions: 1, value: 12000 })
  })

  it('keeps a forged conversion with the same messageId apart: its own person, its own value', async () => {
    for (const order of [
      ['write', 'secret'],
      ['secret', 'write'],
    ] as const) {
      const { sendWith, wonTotals } = await dedupApp()
      for (const key of order) await sendWith(key, key === 'secret' ? crmWon : forgedWon)
      expect(await wonTotals()).toEqual({ conversions: 2, value: 12001 })
    }
  })

  it('keeps the identity link of a secret-key identify whose messageId a write-key event took', async () => {
    const { sendWith, rows } = await dedupApp()
    await sendWith('write', {
      type: 'identify',
      messageId: 'crm-contact-7',
      anonymousId: 'mallory',
      userId: 'mallory-1',
      timestamp: at(NOW - HOUR),
    })
    await sendWith('secret', {
      type: 'identify',
      messageId: 'crm-contact-7',
      anonymousId: 'laptop',
      userId: 'u-42',
      traits: { email: 'ada@acme.com' },
      timestamp: at(T0),
    })
    expect(
      rows('SELECT anonymous_id, user_id, email, trusted FROM identity_links ORDER BY rowid'),
    ).toEqual([
      { anonymous_id: 'mallory', user_id: 'mallory-1', email: null, trusted: 0 },
      { anonymous_id: 'laptop', user_id: 'u-42', email: 'ada@acme.com', trusted: 1 },
    ])
  })
})
