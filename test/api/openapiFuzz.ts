/**
 * Request generation from the OpenAPI document, shared by the fuzz tests: the operations it lists
 * and fast-check values shaped by each JSON schema, mixed with a test's own hostile values.
 */
import fc from 'fast-check'

export type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  format?: string
  pattern?: string
}

export interface ArbitraryOptions {
  /** Values that must be tried everywhere (SQL, script, traversal, CPR-shaped, huge numbers, …). */
  hostile: fc.Arbitrary<unknown>
  /** Values for `format: uuid` strings; plain strings when omitted. */
  uuid?: fc.Arbitrary<unknown>
}

/** Values shaped by the schema most of the time, hostile ones otherwise. */
export function arbitraryFor(
  schema: JsonSchema | undefined,
  options: ArbitraryOptions,
  depth = 0,
): fc.Arbitrary<unknown> {
  const { hostile } = options
  const inner = (s: JsonSchema | undefined) => arbitraryFor(s, options, depth + 1)
  if (!schema || depth > 4) return fc.oneof(fc.string(), fc.integer(), hostile)
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives?.length) return fc.oneof(...alternatives.map(inner), hostile)
  if (schema.enum)
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...schema.enum) },
      { weight: 1, arbitrary: hostile },
    )
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  let shaped: fc.Arbitrary<unknown>
  switch (type) {
    case 'object': {
      const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, inner(s)]))
      shaped = fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) })
      break
    }
    case 'array':
      shaped = fc.array(inner(schema.items), { maxLength: 4 })
      break
    case 'integer':
      shaped = fc.integer({
        min: schema.minimum ?? -1000,
        max: Math.min(schema.maximum ?? 1_000_000, 2 ** 31),
      })
      break
    case 'number':
      shaped = fc.double({ noNaN: true })
      break
    case 'boolean':
      shaped = fc.boolean()
      break
    case 'string':
      shaped =
        schema.format === 'date'
          ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
          : schema.format === 'uuid' && options.uuid
            ? options.uuid
            : fc.string({ maxLength: schema.maxLength ?? 40 })
      break
    default:
      shaped = fc.oneof(fc.string(), fc.integer())
  }
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: hostile })
}

export interface Operation {
  method: string
  path: string
  parameters: { name: string; in: string; schema?: JsonSchema }[]
  body?: JsonSchema
}

/** Every operation of an OpenAPI document with its parameters and JSON body schema. */
export function operations(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>
}): Operation[] {
  const out: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const body = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content?.['application/json']?.schema
      out.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Operation['parameters']) ?? [],
        body,
      })
    }
  }
  return out
}

export function toText(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '')
}
