/**
 * Routes declare their schemas with zod; this file makes Fastify validate with them (Danish messages,
 * each bad field named), serialise replies (bigint as decimal strings: money travels as strings of
 * øre), type handlers from the schemas, and turn the schemas into JSON Schema for OpenAPI 3.1.
 */
import type { FastifyInstance, FastifyTypeProvider } from 'fastify'
import { z } from 'zod'
import { parseInput } from '../errors.ts'

/** `app.withTypeProvider<ZodTypeProvider>()` types `request.body` etc. from zod route schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown
}

export function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType
}

export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value
}

export function registerZod(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZodSchema(schema)) {
      throw new Error(
        `route schemas must be zod schemas (${httpPart ?? 'part'} is not); see src/api/plugins/zod.ts`,
      )
    }
    const where = (
      httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers' ? httpPart : 'body'
    ) as 'body' | 'querystring' | 'params' | 'headers'
    return (data: unknown) => {
      try {
        return { value: parseInput(schema, data, where) }
      } catch (error) {
        return { error: error as Error }
      }
    }
  })
  // Response schemas document the API; replies are serialised as they are (bigint-safe).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data, jsonReplacer))
  app.setReplySerializer((payload) => JSON.stringify(payload, jsonReplacer))
}

type Io = 'input' | 'output'

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema; transforms become unconstrained. */
export function toJsonSchema(schema: z.ZodType, io: Io): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >
  delete json.$schema
  return json
}

/** @fastify/swagger `transform`: route schemas (zod) → JSON Schema; other schemas pass through. */
export function swaggerTransform({
  schema,
  url,
}: {
  schema: Record<string, unknown> | undefined
  url: string
}): {
  schema: Record<string, unknown>
  url: string
} {
  if (!schema) return { schema: {}, url }
  const out: Record<string, unknown> = {}
  for (const [part, value] of Object.entries(schema)) {
    if (part === 'response' && value && typeof value === 'object') {
      const responses: Record<string, unknown> = {}
      for (const [code, r] of Object.entries(value as Record<string, unknown>)) {
        responses[code] = isZodSchema(r) ? toJsonSchema(r, 'output') : r
      }
      out.response = responses
    } else if (['body', 'querystring', 'params', 'headers'].includes(part) && isZodSchema(value)) {
      out[part] = toJsonSchema(value, 'input')
    } else {
      out[part] = value
    }
  }
  return { schema: out, url }
}
