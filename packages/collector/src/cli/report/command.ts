import type {
  AttributionReport,
  ComparisonReport,
  Journey,
  ReportQuery,
  SummaryTouchView,
  TimelineItem,
} from '@touchline/shared'
import { type Command, Option } from 'commander'
import { ApiError, type ClientOptions, clientOf, getApi, withClientOptions } from '../api-client'
import { alignedTable } from './table'

interface ReportOptions extends ClientOptions {
  conversion?: string
  model?: string
  compare?: string
  from?: string
  to?: string
  lookbackDays?: string
  groupBy?: string
  level?: string
  occurrence?: string
  halfLifeDays?: string
  format: 'table' | 'csv' | 'json'
}

/** GET `/v1/reports/<path>?…` with the options' collector and key. */
const getReport = (opts: ClientOptions, path: string, params: Record<string, string | undefined>) =>
  getApi(clientOf(opts), 'reports', `/v1/reports/${path}`, params)

const percent = (share: number) => `${(share * 100).toFixed(1)}%`

function heading(
  answer: ReportQuery & { totals: { conversions: number; value: number } },
  what: string,
): string {
  const day = (iso: string) => iso.slice(0, 10)
  return [
    `${answer.conversion}: ${what} by ${answer.groupBy} (${answer.level} level)`,
    `${day(answer.from)} to ${day(answer.to)} (exclusive), lookback ${answer.lookbackDays} days`,
    `${answer.totals.conversions} conversions, value ${answer.totals.value}`,
  ].join('\n')
}

/** `touchline report` and `touchline journey`: the report API, printed for people. */
export function registerReportCommands(program: Command): void {
  withClientOptions(
    program
      .command('report')
      .description('Attribution report, or several models side by side (--compare)')
      .option('-c, --conversion <event>', 'the track event to attribute (e.g. demo_request)')
      .option('-m, --model <model>', 'the attribution model (default: first_touch)')
      .option('--compare <models>', 'models side by side: a comma-separated list, or "all"')
      .option('--from <date>', 'first day (inclusive, UTC)')
      .option('--to <date>', 'last day (exclusive, UTC)')
      .option('--lookback-days <days>', 'touches this long before a conversion count')
      .option('-g, --group-by <key>', 'channel, source, medium, source_medium, campaign, …')
      .option('--level <level>', 'person or account')
      .option('--occurrence <which>', 'first or all conversions of each person')
      .option('--half-life-days <days>', 'time_decay half-life')
      .addOption(
        new Option('-f, --format <format>', 'output')
          .choices(['table', 'csv', 'json'])
          .default('table'),
      ),
  ).action(async (opts: ReportOptions) => {
    if (opts.model && opts.compare) {
      throw new ApiError('choose one: --model <model> or --compare <models>')
    }
    const params = {
      conversion: opts.conversion,
      from: opts.from,
      to: opts.to,
      lookbackDays: opts.lookbackDays,
      groupBy: opts.groupBy,
      level: opts.level,
      occurrence: opts.occurrence,
      halfLifeDays: opts.halfLifeDays,
      format: opts.format === 'csv' ? 'csv' : undefined,
    }
    const answer = opts.compare
      ? await getReport(opts, 'compare', { ...params, models: opts.compare })
      : await getReport(opts, 'attribution', { ...params, model: opts.model })
    if (opts.format !== 'table') {
      process.stdout.write(
        opts.format === 'json' ? `${JSON.stringify(answer.json, null, 2)}\n` : answer.text,
      )
      return
    }
    if (opts.compare) {
      const report = answer.json as ComparisonReport
      console.log(heading(report, `${report.models.length} models`))
      console.log()
      console.log(
        alignedTable(
          [report.groupBy, ...report.models],
          report.rows.map((row) => [
            row.key,
            ...report.models.map((model) => row.credits[model]?.conversions ?? 0),
          ]),
        ),
      )
      return
    }
    const report = answer.json as AttributionReport
    console.log(heading(report, report.model))
    console.log()
    console.log(
      alignedTable(
        [report.groupBy, 'conversions', 'value', 'share'],
        report.rows.map((row) => [row.key, row.conversions, row.value, percent(row.share)]),
      ),
    )
  })

  withClientOptions(
    program
      .command('journey')
      .description("A person's journey: an email, a userId or an anonymous ID")
      .argument('[who]', 'an email, else a userId, else an anonymous ID')
      .option('--email <email>')
      .option('--user-id <userId>')
      .option('--anonymous-id <anonymousId>')
      .option('--account <account>', 'an account: domain:acme.com, group:<id>, or acme.com')
      .option('-c, --conversion <event>', 'the summary leads up to its first occurrence')
      .option('--lookback-days <days>', 'touches this long before the conversion count')
      .option('--json', 'print the API answer as JSON'),
  ).action(async (who: string | undefined, opts: JourneyOptions) => {
    const common = { conversion: opts.conversion, lookbackDays: opts.lookbackDays }
    const explicit = {
      email: opts.email,
      userId: opts.userId,
      anonymousId: opts.anonymousId,
      account: opts.account,
    }
    let answer: { json?: unknown }
    if (who === undefined || Object.values(explicit).some(Boolean)) {
      answer = await getReport(opts, 'journey', { ...explicit, ...common })
    } else if (who.includes('@')) {
      answer = await getReport(opts, 'journey', { email: who, ...common })
    } else {
      // A bare identifier: a userId if someone has it, else an anonymous ID.
      answer = await getReport(opts, 'journey', { userId: who, ...common }).catch(() =>
        getReport(opts, 'journey', { anonymousId: who, ...common }),
      )
    }
    if (opts.json) {
      console.log(JSON.stringify(answer.json, null, 2))
      return
    }
    console.log(formatJourney(answer.json as Journey))
  })
}

interface JourneyOptions extends ClientOptions {
  email?: string
  userId?: string
  anonymousId?: string
  account?: string
  conversion?: string
  lookbackDays?: string
  json?: boolean
}

function formatJourney(journey: Journey): string {
  const lines: string[] = []
  if (journey.level === 'person') {
    const { key, emails, userIds, anonymousIds } = journey.person
    lines.push(`${key}  emails: ${emails.join(', ') || '-'}  userIds: ${userIds.join(', ') || '-'}`)
    lines.push(`devices: ${anonymousIds.join(', ') || '-'}`)
  } else {
    lines.push(`${journey.account.key}: ${journey.account.people.map((p) => p.key).join(', ')}`)
  }
  const s = journey.summary
  const touch = (t: SummaryTouchView | null) =>
    t ? `${t.time.slice(0, 16).replace('T', ' ')} ${t.channel} (${t.source}, ${t.campaign})` : '-'
  lines.push(
    journey.conversion
      ? `${journey.conversion}: ${s.converted ? `converted ${s.conversionTime?.slice(0, 10)}, value ${s.value}` : 'not converted'}`
      : 'no conversion asked (--conversion)',
  )
  lines.push(`first touch: ${touch(s.firstTouch)}`)
  lines.push(`last touch:  ${touch(s.lastTouch)}`)
  lines.push(
    `${s.sessionsBeforeConversion} sessions, ${s.touchesBeforeConversion} touches, ${s.daysFromFirstTouch === null ? '-' : s.daysFromFirstTouch.toFixed(1)} days from the first touch`,
  )
  lines.push(`channels: ${s.channels.join(' > ') || '-'}`)
  lines.push('')
  lines.push(
    alignedTable(
      ['time', 'type', 'what'],
      journey.timeline.map((item) => [
        item.time.slice(0, 16).replace('T', ' '),
        item.type,
        describe(item),
      ]),
    ),
  )
  return lines.join('\n')
}

function describe(item: TimelineItem): string {
  switch (item.type) {
    case 'session':
    case 'offline_touch': {
      const landing = item.type === 'session' && item.landingPage !== '(not set)'
      return `${item.channel}: ${item.source} / ${item.medium}${item.campaign !== '(not set)' ? `, ${item.campaign}` : ''}${landing ? ` → ${item.landingPage}` : ''}`
    }
    case 'identify':
      return [item.email, item.userId].filter(Boolean).join(', ')
    case 'group':
      return String(item.groupId)
    case 'track':
      return `${item.name}${item.value ? ` (${item.value})` : ''}${item.conversion ? ' ← conversion' : ''}`
  }
}
