/**
 * Payment runs and the payment file: finance runs a month, everybody allowed sees the outcome —
 * municipal staff their municipality's whole run, a provider only its own payments in every run.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Period } from '../../domain/calendar.ts'
import { authorise, requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { asMember } from '../../services/membership.ts'
import { runMonthWithFile } from '../../services/payments/monthlyRun.ts'
import { exportPayments, paymentFilesOf } from '../../services/payments/paymentExport.ts'
import {
  type PaymentRunView,
  type PaymentScope,
  paymentRunView,
  periodsWithPayments,
  providerPaymentView,
} from '../../services/payments/paymentRunView.ts'
import { TillidError } from '../errors.ts'
import { actorOf } from './actor.ts'

const period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Angiv måneden som ÅÅÅÅ-MM, fx 2026-02')
  .transform((p) => p as `${number}-${number}`)
const periodParams = z.object({ period })

function municipalityOf(request: FastifyRequest): number {
  const org = request.principal?.organisation
  if (!org || org.kind !== 'municipality') {
    throw new TillidError('forbidden', 'Betalingskørsler hører til en kommune')
  }
  return Number(org.code)
}

/** Whose payments the person may read: their municipality's, or their own as a provider. */
function readScopeOf(request: FastifyRequest): PaymentScope {
  const org = request.principal?.organisation
  if (org?.kind === 'provider') return { providerCvr: Number(org.code) }
  return { municipality: municipalityOf(request) }
}

function viewOf(ctx: ServiceContext, scope: PaymentScope, p: Period) {
  return 'municipality' in scope
    ? paymentRunView(ctx, scope.municipality, p)
    : providerPaymentView(ctx, scope.providerCvr, p)
}

/** JSON view of a run: amounts as øre strings, so no client ever sees a float. */
export function runJson(view: PaymentRunView) {
  const line = <T extends { amountOre: bigint }>(l: T) => ({ ...l, amountOre: l.amountOre.toString() })
  // People know an agreement by its title and provider; the link goes to the store's id. The
  // on-chain id stays available as chainId for those who check the ledger.
  const items = [...view.payments, ...view.releasedEarlier].map((p) => ({
    agreementId: p.agreement?.id ?? p.agreementId,
    chainId: p.agreementId,
    agreementTitle: p.agreement?.title,
    providerName: p.payee.name,
    period: p.period,
    amountOre: p.amountOre.toString(),
    status: p.status,
    reason: p.reason,
    dueDate: p.reportDueDate,
    overdueSince: p.overdueSince,
  }))
  const deviations = view.invoices
    .filter((i) => i.status === 'deviation')
    .map((i) => ({
      agreementId: i.agreement?.id ?? i.agreementId,
      chainId: i.agreementId,
      agreementTitle: i.agreement?.title,
      providerName: i.payee.name,
      period: i.period,
      lineId: String(i.lineIndex),
      lineName: i.lineName,
      quantity: i.quantity,
      expectedQuantity: i.expected,
      amountOre: i.amountOre.toString(),
    }))
  return {
    items,
    deviations,
    period: view.period,
    ...(view.providerCvr === undefined
      ? { municipalityCode: view.municipalityCode }
      : { providerCvr: String(view.providerCvr) }),
    payments: view.payments.map(line),
    releasedEarlier: view.releasedEarlier.map(line),
    invoices: view.invoices.map(line),
    totals: Object.fromEntries(Object.entries(view.totals).map(([k, v]) => [k, v.toString()])),
  }
}

export function registerPaymentRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/api/payment-runs',
    {
      onRequest: requirePermission('payment.run'),
      schema: {
        tags: ['betalinger'],
        summary: 'Kør måneden: vurder alle aktive aftaler for en måned på ledgeren',
        body: z.object({ period }),
      },
    },
    async (request) => {
      const { period: p } = request.body as { period: `${number}-${number}` }
      const code = municipalityOf(request)
      const actor = actorOf(app, request)
      const { run, file } = await asMember(ctx, actor, (account) =>
        runMonthWithFile(ctx, account, code, p, actor.principal.personId),
      )
      return {
        ...runJson(run),
        evaluatedNow: run.evaluatedNow,
        skipped: run.skipped,
        file: file && { msgId: file.msgId, nbOfTxs: file.nbOfTxs, ctrlSumOre: file.ctrlSumOre.toString() },
      }
    },
  )

  app.get(
    '/api/payment-runs',
    {
      onRequest: requirePermission('payment.read'),
      schema: { tags: ['betalinger'], summary: 'Måneder der er kørt, nyeste først' },
    },
    async (request) => {
      const scope = readScopeOf(request)
      const runs = []
      for (const p of await periodsWithPayments(ctx, scope)) runs.push(runJson(await viewOf(ctx, scope, p)))
      return runs
    },
  )

  app.get(
    '/api/payment-runs/:period',
    {
      onRequest: requirePermission('payment.read'),
      schema: {
        tags: ['betalinger'],
        summary: 'Resultatet af en måneds betalingskørsel',
        params: periodParams,
      },
    },
    async (request) => {
      const { period: p } = request.params as { period: `${number}-${number}` }
      const scope = readScopeOf(request)
      const view = await viewOf(ctx, scope, p)
      // A payment file holds every provider's payments and accounts: the municipality's alone.
      if (!('municipality' in scope)) return runJson(view)
      const files = await paymentFilesOf(ctx, scope.municipality, p)
      return {
        ...runJson(view),
        files: files.map((f) => ({
          id: f.id,
          msgId: f.msgId,
          nbOfTxs: f.nbOfTxs,
          ctrlSumOre: f.ctrlSumOre.toString(),
          sha256: f.sha256,
          createdAt: f.createdAt,
        })),
      }
    },
  )

  app.post(
    '/api/payment-runs/:period/pain001',
    {
      onRequest: requirePermission('payment.export'),
      schema: {
        tags: ['betalinger'],
        summary: 'Dan betalingsfilen (ISO 20022 pain.001.001.09) for måneden og registrer betalingerne',
        params: periodParams,
      },
    },
    async (request) => {
      const { period: p } = request.params as { period: `${number}-${number}` }
      const code = municipalityOf(request)
      const actor = actorOf(app, request)
      const file = await asMember(ctx, actor, (account) =>
        exportPayments(ctx, account, code, p, actor.principal.personId),
      )
      return {
        id: file.id,
        msgId: file.msgId,
        nbOfTxs: file.nbOfTxs,
        ctrlSumOre: file.ctrlSumOre.toString(),
        sha256: file.sha256,
        download: `/api/payment-runs/${p}/pain001`,
      }
    },
  )

  app.get(
    '/api/payment-runs/:period/pain001',
    {
      onRequest: requirePermission('payment.export'),
      schema: {
        tags: ['betalinger'],
        summary: 'Hent den seneste betalingsfil for måneden',
        params: periodParams,
      },
    },
    async (request, reply) => {
      const { period: p } = request.params as { period: `${number}-${number}` }
      authorise(request.principal, 'payment.export')
      const files = await paymentFilesOf(ctx, municipalityOf(request), p)
      const file = files.at(-1)
      if (!file) throw new TillidError('not_found', `Der er ikke dannet en betalingsfil for ${p}`)
      return reply
        .header('content-type', 'application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.msgId}.xml"`)
        .send(file.xml)
    },
  )
}
