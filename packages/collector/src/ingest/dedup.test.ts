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
  const stored = async () =>
    (await ctx.events()).map(({ messageId, trusted, type, event, anonymousId, userId, value }) => ({
      messageId,
      trusted,
      type,
      event,
      anonymousId,
      userId,
      value,
    }))
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
  messageId: WON,
  trusted: true,
  type: 'track',
  event: 'closed_won',
  anonymousId: null,
  userId: 'u-42',
  value: 12000,
}
const forgedPageRow = {
  messageId: WON,
  trusted: false,
  type: 'page',
  event: null,
  anonymousId: 'mallory',
  userId: null,
  value: null,
}

describe('deduplication by messageId, per key', () => {
  it('stores a secret-key event whose messageId a write-key event took first', async () => {
    const { sendWith, stored, wonTotals } = await dedupApp()
    await sendWith('write', forgedPage)
    await sendWith('secret', crmWon)
    expect(await stored()).toEqual([forgedPageRow, secretRow])
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
    expect(await stored()).toEqual([forgedPageRow, secretRow])
    expect(await wonTotals()).toEqual({ conversions: 1, value: 12000 })
  })

  it('never lets a later write-key event replace a secret-key one', async () => {
    const { sendWith, stored, wonTotals } = await dedupApp()
    await sendWith('secret', crmWon)
    await sendWith('write', forgedPage)
    await sendWith('write', forgedPage)
    await sendWith('secret', crmWon)
    expect(await stored()).toEqual([secretRow, forgedPageRow])
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
    const { sendWith, events, store, project } = await dedupApp()
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
    // Both identify calls are stored, one per key, and each is an identity link.
    expect(
      (await events()).map(({ messageId, anonymousId, userId, email, trusted }) => ({
        messageId,
        anonymousId,
        userId,
        email,
        trusted,
      })),
    ).toEqual([
      {
        messageId: 'crm-contact-7',
        anonymousId: 'mallory',
        userId: 'mallory-1',
        email: null,
        trusted: false,
      },
      {
        messageId: 'crm-contact-7',
        anonymousId: 'laptop',
        userId: 'u-42',
        email: 'ada@acme.com',
        trusted: true,
      },
    ])
    const { links } = await store.identityEvidence(project.id)
    expect(
      links
        .map(({ messageId, anonymousId, userId, email }) => ({
          messageId,
          anonymousId,
          userId,
          email,
        }))
        .sort((a, b) => String(a.anonymousId).localeCompare(String(b.anonymousId))),
    ).toEqual([
      { messageId: 'crm-contact-7', anonymousId: 'laptop', userId: 'u-42', email: 'ada@acme.com' },
      { messageId: 'crm-contact-7', anonymousId: 'mallory', userId: 'mallory-1', email: null },
    ])
  })
})
