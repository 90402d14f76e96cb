/** The ledger's date; in demo mode the administrator may move it forward (never back). */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { dateToUnixSeconds, unixSecondsToDate } from '../../domain/calendar.ts'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { advanceWithKeeper } from '../../services/keeper.ts'
import { TillidError } from '../errors.ts'

export function registerLedgerTimeRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  afterMove?: () => Promise<void>,
) {
  const now = () => {
    const seconds = ctx.ledger.now()
    return {
      date: unixSecondsToDate(seconds),
      unixSeconds: seconds,
      demo: ctx.config.demo && ctx.ledger.kind === 'embedded',
    }
  }
  app.get(
    '/api/ledger/time',
    {
      onRequest: requirePermission('ledger.time.read'),
      schema: { tags: ['ledger'], summary: 'Ledgerens dato' },
    },
    async () => now(),
  )
  app.post(
    '/api/ledger/time',
    {
      onRequest: requirePermission('ledger.time.set'),
      schema: {
        tags: ['ledger'],
        summary: 'Flyt ledgerens dato frem (kun demo)',
        body: z.object({ date: z.iso.date('Angiv datoen som ÅÅÅÅ-MM-DD') }),
      },
    },
    async (request) => {
      if (!ctx.config.demo || ctx.ledger.kind !== 'embedded') {
        throw new TillidError('forbidden', 'Ledgerens dato kan kun flyttes i demo-tilstand')
      }
      const { date } = request.body as { date: `${number}-${number}-${number}` }
      // Morning of the business date, so every action of the day has a later timestamp.
      const target = Number(dateToUnixSeconds(date)) + 8 * 3600
      if (target < ctx.ledger.now()) {
        throw new TillidError(
          'invalid_state',
          `Ledgerens dato er allerede ${now().date}; den kan ikke flyttes tilbage`,
        )
      }
      // The walk below ticks the keeper at every 1st on the way: a date centuries ahead would tie up the
      // instance for hours (and run past what the ledger's clock holds), so one move spans at most 5 years.
      if (target > ctx.ledger.now() + 5 * 366 * 86_400) {
        throw new TillidError('business_rule', 'Ledgerens dato kan højst flyttes 5 år frem ad gangen')
      }
      // Stop at every 1st on the way and let the keeper run the time-driven checks (reports
      // overdue, reviews due, lines ending) as real time would; finance runs the months.
      await advanceWithKeeper(ctx, target, { payments: false })
      return now()
    },
  )
}
