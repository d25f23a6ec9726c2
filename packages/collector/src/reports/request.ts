import type { Context } from 'hono'
import type { z } from 'zod'
import { authenticateSecret } from '../auth/authenticate'
import type { Project, Store } from '../store/store'
import { parseReportQuery, type ReportParams } from './params'

/** A report request's project (secret key only) and parameters: the common and `extra`. */
export async function reportRequest<E extends z.ZodRawShape>(
  c: Context,
  store: Store,
  now: () => number,
  extra: E,
): Promise<{ project: Project; params: ReportParams & z.output<z.ZodObject<E>> }> {
  const project = await authenticateSecret(store, c.req.header('authorization'), 'Reports')
  const params = parseReportQuery(
    c.req.query(),
    { now: now(), lookbackDays: project.settings.lookbackDays },
    extra,
  )
  return { project, params }
}

/** A CSV download. */
export function csvResponse(c: Context, filename: string, csv: string): Response {
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', `attachment; filename="${filename}"`)
  return c.body(csv)
}
