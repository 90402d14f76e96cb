/** Turns an authenticated request into the Actor a service runs for. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Actor } from '../../services/context.ts'
import { TillidError } from '../errors.ts'

export function actorOf(app: FastifyInstance, request: FastifyRequest): Actor {
  const { principal, session } = request
  if (!principal || !session) throw new TillidError('unauthenticated')
  return {
    principal,
    withAccount: (fn) => app.identity.keys.withPersonAccount(session, fn),
  }
}
