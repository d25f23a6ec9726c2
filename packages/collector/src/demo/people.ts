/**
 * The people: who they are (names, browsers, locales), the companies they work for, and when
 * they first arrive.
 */

import { between, randomStream } from './random'
import { atHourOfDay, DAY, dayStart } from './time'

const words = (text: string) => text.split(' ')
export const FIRST_NAMES = words(
  'maria james anna david sofia michael emma daniel olivia lucas chloe thomas ines noah julia ' +
    'samuel hannah leo priya arjun mei kenji fatima omar lena jonas clara mateo zoe ethan',
)
export const LAST_NAMES = words(
  'garcia smith muller martin rossi jansen kowalski dubois silva nguyen kim patel cohen schmidt ' +
    'brown lopez novak berg larsen okafor tanaka wilson moreau fischer costa ahmed walker hughes',
)
export const FREE_MAIL = words('gmail.com gmail.com gmail.com outlook.com yahoo.com hotmail.com')
const COMPANY_WORDS = words(
  'acme globex initech umbrella hooli vandelay stark wayne tyrell cyberdyne soylent aperture ' +
    'monarch nakatomi virtucon northwind contoso fabrikam tailspin litware proseware wingtip ' +
    'pied-piper dunder gekko oceanic sterling bluth wonka prestige',
)
const COMPANY_KINDS = words(
  'corp labs systems software logistics health bank retail cloud energy media foods robotics ' +
    'capital group',
)
/** More companies than words × kinds: northacme-corp.com, blueacme-corp.com … */
const COMPANY_PREFIXES = ['', ...words('north blue bright true next prime silver red open')]
export const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Logistics',
  'Media',
]
export const EMPLOYEES = words('11-50 51-200 51-200 201-500 501-1000 1001-5000 5000+')
export const TITLES = [
  'Head of Marketing',
  'Demand Generation Manager',
  'Marketing Ops Manager',
  'VP Marketing',
  'CMO',
  'Growth Lead',
  'RevOps Analyst',
]

export interface Company {
  index: number
  name: string
  domain: string
  /** This account sends `group` calls (the product's signup flow does). */
  grouped: boolean
}

export function companyOf(index: number): Company {
  const words = COMPANY_WORDS.length
  const kinds = COMPANY_KINDS.length
  const word = COMPANY_WORDS[index % words] as string
  const kind = COMPANY_KINDS[Math.floor(index / words) % kinds] as string
  const round = Math.floor(index / (words * kinds))
  const prefix = COMPANY_PREFIXES[round % COMPANY_PREFIXES.length] as string
  const serial =
    round >= COMPANY_PREFIXES.length ? String(Math.floor(round / COMPANY_PREFIXES.length) + 1) : ''
  const slug = `${prefix}${word}-${kind}${serial}`
  const name = slug
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ')
  return { index, name, domain: `${slug}.com`, grouped: index % 5 < 2 }
}

export const USER_AGENTS = {
  desktop: [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
  ],
  mobile: [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  ],
}
export const LOCALES = ['en-US', 'en-US', 'en-US', 'en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'en-CA']

/**
 * When each person first arrives, in time order: exactly `people` arrivals spread over the
 * range, fewer at weekends, growing over the range as marketing ramps up.
 */
export function* arrivals(
  seed: number,
  people: number,
  from: number,
  to: number,
): Generator<number> {
  const random = randomStream(seed, 0)
  const days: { start: number; end: number; weight: number }[] = []
  for (let day = dayStart(from); day < to; day += DAY) {
    const start = Math.max(from, day)
    const end = Math.min(to, day + DAY)
    const weekday = new Date(day).getUTCDay()
    const growth = 0.8 + (0.4 * (start - from)) / (to - from)
    const weekend = weekday === 0 || weekday === 6 ? 0.35 : 1
    days.push({ start, end, weight: (growth * weekend * (end - start)) / DAY })
  }
  const total = days.reduce((sum, day) => sum + day.weight, 0)
  let sum = 0
  let emitted = 0
  for (const day of days) {
    sum += day.weight
    const upTo = Math.round((people * sum) / total)
    const times: number[] = []
    for (; emitted < upTo; emitted++) {
      let time = atHourOfDay(random, dayStart(day.start))
      // Part days at the ends of the range: draw again inside them.
      for (let tries = 0; (time < day.start || time >= day.end) && tries < 20; tries++) {
        time = atHourOfDay(random, dayStart(day.start))
      }
      if (time < day.start || time >= day.end)
        time = Math.floor(between(random, day.start, day.end))
      times.push(time)
    }
    times.sort((a, b) => a - b)
    yield* times
  }
}
