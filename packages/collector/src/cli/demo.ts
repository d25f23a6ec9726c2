import { SingleBar } from 'cli-progress'
import { type Command, InvalidArgumentError } from 'commander'
import { demoPeople, EVENTS_PER_PERSON } from '../demo/generate'
import {
  checkDemoKey,
  checkDemoReports,
  DEMO_DAYS,
  DEMO_PEOPLE,
  DEMO_SEED,
  type DemoCheck,
  type DemoLoadResult,
  loadDemo,
} from '../demo/load'
import { defaultCollectorUrl } from './import/command'

interface DemoCommandOptions {
  url?: string
  key?: string
  people: number
  days: number
  to?: number
  seed: string
  quiet?: boolean
}

const MISSING_KEY = `touchline demo needs the project's secret key ("sk_…"), to send events with their historical timestamps.
  Pass it with --key sk_… or set TOUCHLINE_SECRET_KEY.
  "pnpm start" prints it when it creates the project (first start). Lost it? Stop the
  collector and start it again with TOUCHLINE_SECRET_KEY=sk_<16+ letters or digits> to set one.`

function wholeNumber(max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`not a whole number from 1 to ${max}`)
    }
    return n
  }
}

/** A date (midnight UTC) or date-time, as epoch ms. */
function day(value: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(ms)) throw new InvalidArgumentError('not an ISO date (e.g. 2026-03-01)')
  return ms
}

function collectorUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '')
  } catch {}
  throw new InvalidArgumentError('not an http(s) URL')
}

const thousands = (n: number) => n.toLocaleString('en-US')

/** Registers `touchline demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Load a synthetic B2B data set (visits, forms, CRM stages, offline touches) into a running collector',
    )
    .option(
      '--url <url>',
      'the collector (default: $TOUCHLINE_PUBLIC_URL or http://127.0.0.1:$PORT, port 8787)',
      collectorUrl,
    )
    .option('--key <key>', "the project's secret key (default: $TOUCHLINE_SECRET_KEY)")
    .option(
      '--people <n>',
      'visitors arriving over the period',
      wholeNumber(1_000_000),
      DEMO_PEOPLE,
    )
    .option(
      '--days <n>',
      'days of data, ending at the start of today (UTC)',
      wholeNumber(730),
      DEMO_DAYS,
    )
    .option(
      '--to <date>',
      'end of the data, exclusive (default: the start of today, UTC): the same end gives the same data',
      day,
    )
    .option(
      '--seed <seed>',
      'any number or word: the same seed gives the same data',
      String(DEMO_SEED),
    )
    .option('-q, --quiet', 'no progress bar (there is none when stderr is not a terminal)')
    .action(async (opts: DemoCommandOptions) => {
      const url = opts.url ?? defaultCollectorUrl()
      const key = opts.key ?? process.env.TOUCHLINE_SECRET_KEY ?? ''
      if (!key) throw new Error(MISSING_KEY)
      await checkDemoKey(url, key)
      const seed = /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed
      const expected = Math.round(demoPeople({ people: opts.people }) * EVENTS_PER_PERSON)
      const bar =
        !opts.quiet && process.stderr.isTTY
          ? new SingleBar({
              format: 'loading the demo {bar} {percentage}% | {value} events | ETA {eta_formatted}',
              clearOnComplete: true,
              etaBuffer: 20,
            })
          : undefined
      bar?.start(expected, 0)
      const started = performance.now()
      let result: DemoLoadResult
      try {
        result = await loadDemo({
          url,
          key,
          people: opts.people,
          days: opts.days,
          ...(opts.to !== undefined ? { to: opts.to } : {}),
          seed,
          onProgress: (sent) => {
            if (bar) {
              bar.setTotal(Math.max(expected, sent))
              bar.update(sent)
            }
          },
          onRetry: (reason, delayMs) =>
            process.stderr.write(
              `collector: ${reason}; retrying in ${(delayMs / 1_000).toFixed(1)} s\n`,
            ),
        })
      } finally {
        bar?.stop()
      }
      const seconds = (performance.now() - started) / 1_000
      for (const { index, error } of result.rejected.slice(0, 10)) {
        process.stderr.write(`event ${index}: rejected by the collector: ${error}\n`)
      }
      const check = await checkDemoReports(url, key, Date.parse(result.to))
      console.log(demoSummary(url, result, seconds, check))
      if (result.rejected.length > 0) process.exitCode = 1
    })
}

/** What the demo loaded, and where to look at it. */
export function demoSummary(
  url: string,
  result: DemoLoadResult,
  seconds: number,
  check: DemoCheck,
): string {
  const { summary: s } = result
  const stage = (name: string) => thousands(s.byTrackEvent[name] ?? 0)
  const offline = s.byTrackEvent.touch ?? 0
  return [
    `Demo data set (seed ${result.seed}) from ${result.from.slice(0, 10)} to ${result.to.slice(0, 10)} (exclusive):`,
    `  ${thousands(s.people)} people, ${thousands(s.devices)} browsers (${thousands(s.twoDevicePeople)} people on two), ${thousands(s.sessions)} sessions, ${thousands(offline)} offline touches (events, webinars, partners)`,
    `  ${thousands(s.identifiedPeople)} identified by a form, ${thousands(s.accounts)} accounts`,
    `  form_submit ${stage('form_submit')} · demo_request ${stage('demo_request')} · mql ${stage('mql')} · sql ${stage('sql')} · opportunity_created ${stage('opportunity_created')} · closed_won ${stage('closed_won')}`,
    `Sent ${thousands(result.sent)} events in ${seconds.toFixed(1)} s: ${thousands(result.accepted)} accepted, ${thousands(result.rejected.length)} rejected (events already stored are accepted and kept once: loading again adds nothing).`,
    `Reports, ${check.from.slice(0, 10)} to ${check.to.slice(0, 10)}: ${Object.entries(check.totals)
      .map(
        ([name, totals]) =>
          `${thousands(totals.conversions)} ${name}${totals.value > 0 ? ` (value ${thousands(totals.value)})` : ''}`,
      )
      .join(', ')}.`,
    `Open the dashboard at ${url}/ and sign in with the secret key.`,
  ].join('\n')
}
