/**
 * Registers the resource routes. Each file in this folder declares its schemas and does nothing
 * but authorise and call a service.
 */
import type { FastifyInstance } from 'fastify'
import type { ServiceContext } from '../../services/context.ts'

export async function registerRoutes(_app: FastifyInstance, _ctx: ServiceContext): Promise<void> {
  // One line per resource file, e.g. registerAgreementRoutes(app, ctx)
}
