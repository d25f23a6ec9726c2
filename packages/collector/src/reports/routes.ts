import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { authenticateSecret } from '../auth/authenticate'
import type { Store } from '../store/store'
import { comparisonCsv } from './compare'
import { rowsCsv } from './csv'
import { keyParam, keyPeopleCsv, peopleLimitParam } from './key-people'
import { limitParam, modelsParam, parseJourneyParams } from './params'
import { csvResponse, reportRequest } from './request'
import type { ReportRunner } from './runner'

/** Report API: secret key only. */
export function reportRoutes(store: Store, runner: ReportRunner, now: () => number): Hono {
  const routes = new Hono()
  routes.get('/attribution', async (c) => {
    const { project, params } = await reportRequest(c, store, now, {})
    const report = await runner.run('attribution', project, params)
    if (params.format === 'csv') {
      return csvResponse(c, `attribution-${params.model}.csv`, rowsCsv(report.groupBy, report.rows))
    }
    return c.json(report)
  })
  // Beside the attribution report (PRODUCT.md §7), with the same common parameters.
  routes.get('/compare', async (c) => {
    const { project, params } = await reportRequest(c, store, now, { models: modelsParam })
    const report = await runner.run('compare', project, params)
    if (params.format === 'csv') return csvResponse(c, 'compare.csv', comparisonCsv(report))
    return c.json(report)
  })
  routes.get('/journeys', async (c) => {
    const { project, params } = await reportRequest(c, store, now, { limit: limitParam })
    const report = await runner.run('journeyStats', project, params)
    if (params.format === 'csv') {
      return csvResponse(c, 'top-paths.csv', rowsCsv('path', report.topPaths))
    }
    return c.json(report)
  })
  routes.get('/influenced', async (c) => {
    const { project, params } = await reportRequest(c, store, now, {})
    const report = await runner.run('influenced', project, params)
    if (params.format === 'csv') {
      return csvResponse(c, 'influenced.csv', rowsCsv(report.groupBy, report.rows))
    }
    return c.json(report)
  })
  // The track event names a report can ask about, with their counts (the dashboard's picker).
  routes.get('/conversions', async (c) => {
    const project = await authenticateSecret(store, c.req.header('authorization'), 'Reports')
    return c.json(await runner.run('conversions', project, {}))
  })
  // The people (or accounts) behind one row: conversions whose journey touched the key.
  routes.get('/people', async (c) => {
    const { project, params } = await reportRequest(c, store, now, {
      key: keyParam,
      limit: peopleLimitParam,
    })
    const report = await runner.run('people', project, params)
    if (params.format === 'csv') return csvResponse(c, 'people.csv', keyPeopleCsv(report))
    return c.json(report)
  })
  // One person's or account's journey: timeline and summary.
  routes.get('/journey', async (c) => {
    const project = await authenticateSecret(store, c.req.header('authorization'), 'Reports')
    const params = parseJourneyParams(c.req.query(), project.settings)
    const report = await runner.run('journey', project, params)
    if (!report.ok) throw new HTTPException(report.status, { message: report.error })
    return c.json(report.journey)
  })
  return routes
}
