/**
 * ETags for GETs of objects that change rarely (agreements, payment runs): a weak tag over the JSON
 * body; a client sending it back in If-None-Match gets 304 without the body. `checkIfMatch` lets a
 * state change refuse to act on an object that changed since the client read it (412).
 */
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { TillidError } from '../errors.ts'
import { jsonReplacer } from './zod.ts'

export function etagOf(body: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(body, jsonReplacer)).digest('base64url')
  return `W/"${digest.slice(0, 27)}"`
}

function matches(header: string | undefined, tag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  const bare = tag.replace(/^W\//, '')
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === bare)
}

/** Sets ETag; answers 304 when the client already has this version. Return its result from the handler. */
export function sendWithEtag<T>(request: FastifyRequest, reply: FastifyReply, body: T): T | FastifyReply {
  const tag = etagOf(body)
  reply.header('etag', tag)
  if (matches(request.headers['if-none-match'], tag)) return reply.code(304).send()
  return body
}

/** For state changes: when the client sent If-Match, the object must still be the version it read. */
export function checkIfMatch(request: FastifyRequest, current: unknown): void {
  const header = request.headers['if-match']
  if (header && !matches(header, etagOf(current))) {
    throw new TillidError('precondition_failed', 'Hent oplysningerne igen og prøv så igen')
  }
}
