import type { DerivationStatus } from '@touchline/shared'
import type { MaintainedDomains } from '../identity/domains'
import type { Project, Store } from '../store/store'
import { attributionReport } from './attribution'
import { comparisonReport } from './compare'
import { conversionNamesReport } from './conversion-names'
import { JourneyEngine } from './engine'
import { influencedReport } from './influenced'
import { journeyStatsReport } from './journey-stats'
import { keyPeopleReport } from './key-people'
import { personJourneyReport } from './person-journey'

/**
 * Every report, by name: a function of the journey engine, the store, the project and its
 * parsed parameters. A new report is one entry here (and a route): it then runs in the
 * worker like the others.
 */
export const REPORTS = {
  attribution: attributionReport,
  compare: comparisonReport,
  journeyStats: journeyStatsReport,
  influenced: influencedReport,
  journey: personJourneyReport,
  conversions: conversionNamesReport,
  people: keyPeopleReport,
} as const

export type ReportName = keyof typeof REPORTS
export type ReportParamsOf<N extends ReportName> = Parameters<(typeof REPORTS)[N]>[3]
/**
 * A report's answer; those over journeys say which sessions they used (`derivation`: the
 * project's settings, or the previous ones while sessions are derived again).
 */
export type ReportResultOf<N extends ReportName> = Awaited<ReturnType<(typeof REPORTS)[N]>> & {
  derivation?: DerivationStatus
}

/** Reports whose answer is not over the project's sessions, or not an object of its own. */
const WITHOUT_DERIVATION: ReadonlySet<ReportName> = new Set(['conversions', 'journey'])

/** Computes reports; the HTTP routes only parse parameters and format answers. */
export interface ReportRunner {
  run<N extends ReportName>(
    name: N,
    project: Project,
    params: ReportParamsOf<N>,
  ): Promise<ReportResultOf<N>>
  close(): Promise<void>
}

/** Reports computed on the calling thread, with one journey engine over the store. */
export class InProcessRunner implements ReportRunner {
  private readonly engine: JourneyEngine

  constructor(
    private readonly store: Store,
    maintainedDomains: MaintainedDomains,
  ) {
    this.engine = new JourneyEngine(store, maintainedDomains)
  }

  async run<N extends ReportName>(
    name: N,
    project: Project,
    params: ReportParamsOf<N>,
  ): Promise<ReportResultOf<N>> {
    const report = REPORTS[name] as (
      engine: JourneyEngine,
      store: Store,
      project: Project,
      params: ReportParamsOf<N>,
    ) => Promise<ReportResultOf<N>>
    const result = await report(this.engine, this.store, project, params)
    if (WITHOUT_DERIVATION.has(name)) return result
    return { ...result, derivation: this.engine.derivationStatus(project) }
  }

  /** Loads the project's journeys ahead of its first report. */
  async warm(project: Project): Promise<void> {
    await this.engine.journeys(project, { groupBy: 'channel', level: 'person' })
  }

  /** Derives and stores what arrived since the last report or update. */
  async update(project: Project): Promise<void> {
    await this.engine.update(project)
  }

  async close(): Promise<void> {}
}
