import { Hono } from 'hono'
import { authenticateSecret } from '../auth/authenticate'
import type { Store } from '../store/store'
import { toCsv } from './attribution'
import { parseReportParams } from './params'
import type { ReportRunner } from './runner'

/** Report API: secret key only. */
export function reportRoutes(store: Store, runner: ReportRunner, now: () => number): Hono {
  const routes = new Hono()
  routes.get('/attribution', async (c) => {
    const project = await authenticateSecret(store, c.req.header('authorization'), 'Reports')
    const params = parseReportParams(c.req.query(), {
      now: now(),
      lookbackDays: project.settings.lookbackDays,
    })
    const report = await runner.run('attribution', project, params)
    if (params.format === 'csv') {
      c.header('Content-Type', 'text/csv; charset=utf-8')
      c.header('Content-Disposition', `attachment; filename="attribution-${params.model}.csv"`)
      return c.body(toCsv(report))
    }
    return c.json(report)
  })
  return routes
}
