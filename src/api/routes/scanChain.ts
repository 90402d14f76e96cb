/** The personal-data scan of the whole ledger, for the auditor. */
import type { FastifyInstance } from 'fastify'
import { requirePermission } from '../../identity/authorise.ts'
import type { ServiceContext } from '../../services/context.ts'
import { scanChain } from '../../services/scanChain.ts'

export function registerScanChainRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  app.post(
    '/api/integrity/scan-chain',
    {
      onRequest: requirePermission('integrity.verify'),
      schema: { tags: ['revision'], summary: 'Søg hele ledgeren igennem for CPR-numre og borgernes navne' },
    },
    async () => scanChain(ctx),
  )
}
