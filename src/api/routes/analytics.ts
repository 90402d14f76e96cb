/**
 * Rollout dashboards (docs/analytics.md): the national overview, one KPI compared across the 98
 * municipalities and one municipality's page, with the quarterly reports' small-cell suppression.
 * Without `quarter`, the quarter of the ledger's date.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { unixSecondsToDate } from '../../domain/calendar.ts'
import { requirePermission } from '../../identity/authorise.ts'
import { quarterOfDate } from '../../reports/quarter.ts'
import {
  COMPARABLE_KPIS,
  compareMunicipalities,
  municipalityPage,
  nationalOverview,
} from '../../services/analytics/dashboard.ts'
import type { ServiceContext } from '../../services/context.ts'
import { TillidError } from '../errors.ts'

const tags = ['udrulning']
// Years outside 2000–2099 are refused here: PostgreSQL has no year 0 and nothing was rolled out then.
const quarter = z
  .string()
  .regex(/^20[0-9]{2}Q[1-4]$/, 'Angiv kvartalet som ÅÅÅÅQn, fx 2026Q2')
  .optional()
const kpi = z.enum(COMPARABLE_KPIS as [string, ...string[]], 'Ukendt nøgletal')

export function registerAnalyticsRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  const quarterOf = (q: string | undefined) => q ?? quarterOfDate(unixSecondsToDate(ctx.ledger.now()))

  app.get(
    '/api/analytics/national',
    {
      onRequest: requirePermission('analytics.read'),
      schema: {
        tags,
        summary: 'Udrulning: landsoverblik for et kvartal (små tal vist som <5)',
        querystring: z.object({ quarter }),
      },
    },
    async (request) => {
      const q = request.query as { quarter?: string }
      return nationalOverview(ctx.db, quarterOf(q.quarter))
    },
  )

  app.get(
    '/api/analytics/compare',
    {
      onRequest: requirePermission('analytics.read'),
      schema: {
        tags,
        summary: 'Udrulning: ét nøgletal for alle kommuner med landsmedianen',
        querystring: z.object({ quarter, kpi: kpi.default('activePer1000') }),
      },
    },
    async (request) => {
      const q = request.query as { quarter?: string; kpi: string }
      return compareMunicipalities(ctx.db, quarterOf(q.quarter), q.kpi)
    },
  )

  app.get(
    '/api/analytics/municipalities/:code',
    {
      onRequest: requirePermission('analytics.read'),
      schema: {
        tags,
        summary: 'Udrulning: én kommunes side (kommunekode, fx 169)',
        params: z.object({ code: z.string().regex(/^[0-9]{3}$/, 'Angiv en kommunekode med tre cifre') }),
        querystring: z.object({ quarter }),
      },
    },
    async (request) => {
      const { code } = request.params as { code: string }
      const q = request.query as { quarter?: string }
      const page = await municipalityPage(ctx.db, Number(code), quarterOf(q.quarter))
      if (!page) throw new TillidError('not_found', `Ingen kommune med koden ${code}`)
      return page
    },
  )
}
