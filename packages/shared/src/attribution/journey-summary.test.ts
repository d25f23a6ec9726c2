import { describe, expect, it } from 'vitest'
import { inLookbackWindow, type SummaryTouch, summariseJourney } from './journey-summary'

const DAY = 86_400_000
const HOUR = 3_600_000

const touch = (
  time: number,
  channel: string,
  source: string,
  extra: Partial<SummaryTouch> = {},
): SummaryTouch => ({
  time,
  channel,
  source,
  medium: '(none)',
  campaign: '(not set)',
  offline: false,
  ...extra,
})

describe('inLookbackWindow', () => {
  it('includes both ends of the window and nothing outside it', () => {
    expect(inLookbackWindow(10 * DAY, 40 * DAY, 30)).toBe(true)
    expect(inLookbackWindow(40 * DAY, 40 * DAY, 30)).toBe(true)
    expect(inLookbackWindow(10 * DAY - 1, 40 * DAY, 30)).toBe(false)
    expect(inLookbackWindow(40 * DAY + 1, 40 * DAY, 30)).toBe(false)
  })
})

describe('summariseJourney', () => {
  // Old newsletter (outside a 30-day window), LinkedIn, a webinar, Google twice, then a
  // visit after the conversion; given out of order.
  const touches = [
    touch(20 * DAY, 'Paid Search', 'google', { medium: 'cpc', campaign: 'brand' }),
    touch(0, 'Email', 'newsletter'),
    touch(5 * DAY, 'Paid Social', 'linkedin', { medium: 'paid_social', campaign: 'abm' }),
    touch(12 * DAY, 'Events', 'zoom', { medium: 'offline', campaign: 'q1-webinar', offline: true }),
    touch(22 * DAY, 'Paid Search', 'google', { medium: 'cpc', campaign: 'generic' }),
    touch(30 * DAY, 'Direct', '(direct)'),
  ]

  it('summarises the journey of a conversion: its lookback window, up to the conversion', () => {
    const summary = summariseJourney(touches, {
      conversion: { time: 22 * DAY + 12 * HOUR, value: 5000 },
      lookbackDays: 20,
      end: 30 * DAY,
    })
    expect(summary).toEqual({
      converted: true,
      conversionTime: 22 * DAY + 12 * HOUR,
      value: 5000,
      firstTouch: {
        time: 5 * DAY,
        channel: 'Paid Social',
        source: 'linkedin',
        medium: 'paid_social',
        campaign: 'abm',
        offline: false,
      },
      lastTouch: {
        time: 22 * DAY,
        channel: 'Paid Search',
        source: 'google',
        medium: 'cpc',
        campaign: 'generic',
        offline: false,
      },
      sessionsBeforeConversion: 3,
      touchesBeforeConversion: 4,
      daysFromFirstTouch: 17.5,
      channels: ['Paid Social', 'Events', 'Paid Search'],
    })
  })

  it('counts every touch up to the last activity when there is no conversion', () => {
    const summary = summariseJourney(touches, { lookbackDays: 20, end: 30 * DAY + 6 * HOUR })
    expect(summary).toMatchObject({
      converted: false,
      conversionTime: null,
      value: 0,
      firstTouch: { time: 0, channel: 'Email', source: 'newsletter' },
      lastTouch: { time: 30 * DAY, channel: 'Direct', source: '(direct)' },
      sessionsBeforeConversion: 5,
      touchesBeforeConversion: 6,
      daysFromFirstTouch: 30.25,
      channels: ['Email', 'Paid Social', 'Events', 'Paid Search', 'Direct'],
    })
  })

  it('has no touches when none falls in the window (an unattributed conversion)', () => {
    expect(
      summariseJourney(touches, {
        conversion: { time: 100 * DAY, value: 0 },
        lookbackDays: 30,
        end: 100 * DAY,
      }),
    ).toEqual({
      converted: true,
      conversionTime: 100 * DAY,
      value: 0,
      firstTouch: null,
      lastTouch: null,
      sessionsBeforeConversion: 0,
      touchesBeforeConversion: 0,
      daysFromFirstTouch: null,
      channels: [],
    })
  })

  it('counts a one-touch journey converting in its session as zero days', () => {
    const summary = summariseJourney([touch(DAY, 'Organic Search', 'bing')], {
      conversion: { time: DAY, value: 10 },
      lookbackDays: 90,
      end: DAY,
    })
    expect(summary).toMatchObject({
      sessionsBeforeConversion: 1,
      touchesBeforeConversion: 1,
      daysFromFirstTouch: 0,
      channels: ['Organic Search'],
    })
  })
})
