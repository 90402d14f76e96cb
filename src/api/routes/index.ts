/**
 * Registers the resource routes. Each file in this folder declares its schemas and does nothing
 * but authorise and call a service.
 */
import type { FastifyInstance } from 'fastify'
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
}
