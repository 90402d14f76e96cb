/** Agreements and templates: draft, sign, approve, amend, review, terminate, reports, invoices, reads. */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { requirePermission } from '../../identity/authorise.ts'
import {
  amendAgreement,
  approveAgreement,
  decideReview,
  draftAgreement,
  signAgreement,
  submitInvoice,
  terminateAgreement,
  uploadReport,
} from '../../services/agreements/commands.ts'
import { getAgreement, listAgreements, terminationPreview } from '../../services/agreements/queries.ts'
import type { ServiceContext } from '../../services/context.ts'
import { listTemplates } from '../../services/templates.ts'
import type { ZodTypeProvider } from '../plugins/zod.ts'
import { actorOf } from './actor.ts'

const date = z.iso.date()
const ore = z.string().regex(/^[1-9]\d{0,14}$/, 'beløb i øre som heltal over 0')
const schedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('monthly') }),
  z.object({
    kind: z.literal('sessions'),
    hours: z.number().int().min(0).max(24),
    everyWeeks: z.number().int().min(1).max(52),
    weekday: z.number().int().min(1).max(7),
    from: date,
  }),
])
export const lineInput = z.object({
  name: z.string().trim().min(1).max(100),
  priceOre: ore,
  unit: z.enum(['month', 'hour', 'session']),
  schedule,
  start: date,
  end: date.nullish(),
  arrangedBy: z.enum(['provider', 'municipality']),
  reviewDate: date.nullish(),
})
const idParams = z.object({ id: z.string().min(1).max(80) })
const version = z.object({ version: z.number().int().min(1).max(65535) })

const draftBody = z.object({
  caseId: z.uuid(),
  providerId: z.string().min(1).max(40),
  templateId: z.string().min(1).max(40),
  mainAgreementId: z.string().min(1).max(80).optional(),
  lines: z.array(lineInput).min(1).max(64),
  reportEveryMonths: z.number().int().min(0).max(24).optional(),
  graceDays: z.number().int().min(1).max(365).optional(),
})
const amendBody = z.object({
  lines: z.array(lineInput).max(64),
  changes: z
    .array(
      z.object({
        lineId: z.string().regex(/^\d{1,2}$/),
        effectiveFrom: date,
        priceOre: z.string().regex(/^\d{1,15}$/),
        end: date.nullish(),
        reviewDate: date.nullish(),
      }),
    )
    .max(64)
    .optional(),
  reviewDate: date.optional(),
})
const reviewBody = z.object({
  lineId: z.string().regex(/^\d{1,2}$/),
  decision: z.enum(['continue', 'adjust', 'end']),
  until: date.optional(),
})
const terminationBody = z.object({ effectiveDate: date, kind: z.enum(['mutual', 'unilateral']) })
const reportBody = z.object({
  filename: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\0]+$/, 'filnavn uden mapper'),
  contentBase64: z
    .string()
    .min(1)
    .max(34_000_000)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
})
const invoiceBody = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'måned som ÅÅÅÅ-MM'),
  lineId: z.string().regex(/^\d{1,2}$/),
  quantity: z.number().int().min(1).max(10_000),
})

export function registerAgreementRoutes(root: FastifyInstance, ctx: ServiceContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>()
  const tags = ['aftaler']

  app.get(
    '/api/templates',
    { onRequest: requirePermission('template.read'), schema: { tags, summary: 'Aftaleskabeloner' } },
    async () => listTemplates(),
  )

  app.get(
    '/api/agreements',
    {
      onRequest: requirePermission('agreement.read'),
      schema: { tags, summary: 'Aftaler', querystring: z.object({ caseId: z.uuid().optional() }) },
    },
    async (request) => listAgreements(ctx, actorOf(root, request), { caseId: request.query.caseId }),
  )

  app.get(
    '/api/agreements/:id',
    {
      onRequest: requirePermission('agreement.read'),
      schema: { tags, summary: 'En aftale', params: idParams },
    },
    async (request) => getAgreement(ctx, actorOf(root, request), request.params.id),
  )

  app.post(
    '/api/agreements',
    {
      onRequest: requirePermission('agreement.draft'),
      schema: { tags, summary: 'Udarbejd aftaleudkast', body: draftBody },
    },
    async (request, reply) => {
      const actor = actorOf(root, request)
      const id = await draftAgreement(ctx, actor, request.body)
      return reply.code(201).send(await getAgreement(ctx, actor, id))
    },
  )

  app.post(
    '/api/agreements/:id/sign',
    {
      onRequest: requirePermission('agreement.sign'),
      schema: { tags, summary: 'Underskriv en version', params: idParams, body: version },
    },
    async (request) => {
      const actor = actorOf(root, request)
      return getAgreement(
        ctx,
        actor,
        await signAgreement(ctx, actor, request.params.id, request.body.version),
      )
    },
  )

  app.post(
    '/api/agreements/:id/approve',
    {
      onRequest: requirePermission('agreement.approve'),
      schema: { tags, summary: 'Godkend en version', params: idParams, body: version },
    },
    async (request) => {
      const actor = actorOf(root, request)
      return getAgreement(
        ctx,
        actor,
        await approveAgreement(ctx, actor, request.params.id, request.body.version),
      )
    },
  )

  app.post(
    '/api/agreements/:id/amendments',
    {
      onRequest: requirePermission('agreement.amend'),
      schema: { tags, summary: 'Foreslå et tillæg (ny version)', params: idParams, body: amendBody },
    },
    async (request, reply) => {
      const actor = actorOf(root, request)
      // The reply shows the proposed version (its number and lines), which both parties now sign.
      const proposed = await amendAgreement(ctx, actor, request.params.id, request.body)
      return reply.code(201).send(await getAgreement(ctx, actor, request.params.id, proposed))
    },
  )

  app.post(
    '/api/agreements/:id/reviews',
    {
      onRequest: requirePermission('agreement.review'),
      schema: { tags, summary: 'Beslutning ved opfølgning', params: idParams, body: reviewBody },
    },
    async (request) => {
      const actor = actorOf(root, request)
      return getAgreement(ctx, actor, await decideReview(ctx, actor, request.params.id, request.body))
    },
  )

  app.get(
    '/api/agreements/:id/termination-preview',
    {
      onRequest: requirePermission('agreement.read'),
      schema: {
        tags,
        summary: 'Hvad ophører med aftalen',
        params: idParams,
        querystring: z.object({ effectiveDate: date }),
      },
    },
    async (request) =>
      terminationPreview(ctx, actorOf(root, request), request.params.id, request.query.effectiveDate),
  )

  app.post(
    '/api/agreements/:id/termination',
    {
      onRequest: requirePermission('agreement.terminate'),
      schema: {
        tags,
        summary: 'Ophør (hjemgivelse eller opsigelse)',
        params: idParams,
        body: terminationBody,
      },
    },
    async (request) => {
      const actor = actorOf(root, request)
      return getAgreement(ctx, actor, await terminateAgreement(ctx, actor, request.params.id, request.body))
    },
  )

  app.post(
    '/api/agreements/:id/reports',
    {
      onRequest: requirePermission('document.upload'),
      bodyLimit: 36 * 1024 * 1024,
      schema: { tags, summary: 'Upload statusrapport', params: idParams, body: reportBody },
    },
    async (request, reply) =>
      reply.code(201).send(await uploadReport(ctx, actorOf(root, request), request.params.id, request.body)),
  )

  app.post(
    '/api/agreements/:id/invoices',
    {
      onRequest: requirePermission('invoice.submit'),
      schema: { tags, summary: 'Indsend faktura for timer/sessioner', params: idParams, body: invoiceBody },
    },
    async (request, reply) =>
      reply.code(201).send(await submitInvoice(ctx, actorOf(root, request), request.params.id, request.body)),
  )
}
