/**
 * Registers the resource routes. Each file in this folder declares its schemas and does nothing
 * but authorise and call a service.
 */
import type { FastifyInstance } from 'fastify'
import { apiUsageCounter } from '../../services/analytics/apiUsage.ts'
import type { ServiceContext } from '../../services/context.ts'
import { registerAccessLogRoutes } from './accessLog.ts'
import { registerAgreementRoutes } from './agreements.ts'
import { registerAnalyticsRoutes } from './analytics.ts'
import { registerCaseRoutes } from './cases.ts'
import { registerCitizenRoutes } from './citizen.ts'
import { registerDocumentRoutes } from './documents.ts'
import { registerErasureRoutes } from './erasure.ts'
import { registerIntegrationRoutes } from './integrations.ts'
import { registerIntegrityRoutes } from './integrity.ts'
import { registerLedgerTimeRoutes } from './ledgerTime.ts'
import { registerOrganisationRoutes } from './organisations.ts'
import { registerPaymentRoutes } from './payments.ts'
import { registerScanChainRoutes } from './scanChain.ts'
import { registerTaskRoutes } from './tasks.ts'

export async function registerRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  registerCaseRoutes(app, ctx)
  registerAgreementRoutes(app, ctx)
  registerDocumentRoutes(app, ctx)
  registerTaskRoutes(app, ctx)
  registerPaymentRoutes(app, ctx)
  registerLedgerTimeRoutes(app, ctx)
  registerScanChainRoutes(app, ctx)
  registerIntegrationRoutes(app, ctx)
  registerCitizenRoutes(app, ctx)
  registerIntegrityRoutes(app, ctx)
  registerAccessLogRoutes(app, ctx)
  registerErasureRoutes(app, ctx)
  registerOrganisationRoutes(app, ctx)
  registerAnalyticsRoutes(app, ctx)
  countApiCalls(app, ctx)
}

/**
 * API calls by municipal staff, per municipality and month, for the rollout figures. Providers and
 * citizens are not counted: a provider's call belongs to no single municipality.
 */
function countApiCalls(app: FastifyInstance, ctx: ServiceContext): void {
  const usage = apiUsageCounter(ctx.db, () => ctx.ledger.now())
  app.addHook('onResponse', async (request) => {
    const org = request.principal?.organisation
    if (org?.kind === 'municipality' && request.url.startsWith('/api/')) usage.count(Number(org.code))
  })
  const flush = () =>
    usage
      .flush()
      .catch((err: Error) => ctx.logger.warn({ err }, 'API calls could not be added to the rollout figures'))
  const timer = setInterval(flush, 10_000)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await flush()
  })
}
