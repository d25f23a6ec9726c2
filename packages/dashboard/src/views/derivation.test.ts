import { describe, expect, it } from 'vitest'
import { derivationNotice } from './derivation'

describe('derivationNotice', () => {
  it('says nothing when the reports use the current settings', () => {
    expect(derivationNotice(undefined)).toBeUndefined()
    expect(
      derivationNotice({ sessionTimeoutMinutes: 30, ownDomains: [], current: true }),
    ).toBeUndefined()
  })

  it('names the settings in use, the new ones and how far the derivation is', () => {
    expect(
      derivationNotice({
        sessionTimeoutMinutes: 30,
        ownDomains: [],
        current: false,
        next: {
          sessionTimeoutMinutes: 10,
          ownDomains: ['acme.com', 'acme.io'],
          progress: 0.426,
          startedAt: '2026-12-04T02:00:00.000Z',
        },
      }),
    ).toBe(
      'Sessions are being derived again with the new settings (session timeout 10 min, own domains acme.com, acme.io): 42 % of the events read. Until that is done these reports use the previous settings (session timeout 30 min, own domains none); "Reload data" shows the progress.',
    )
  })
})
