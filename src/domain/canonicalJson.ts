/**
 * Canonical JSON: the one byte form of a record that anchors hash. Keys sorted by UTF-16 code
 * units (as RFC 8785), no whitespace, bigint as a decimal string, so two parties holding the
 * same record always hash the same bytes.
 */

export class CanonicalJsonError extends Error {
  override name = 'CanonicalJsonError'
  readonly code = 'CANONICAL_JSON_UNSUPPORTED'
}

function hex(bytes: Uint8Array): string {
  let s = '0x'
  for (const b of bytes) s += b.toString(16).padStart(2, '0')
  return s
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      return JSON.stringify(value.toString())
    case 'number':
      // Floats would make the bytes depend on formatting rules; amounts are bigint øre anyway.
      if (!Number.isSafeInteger(value))
        throw new CanonicalJsonError(`${path}: only safe integers, got ${value}`)
      return Object.is(value, -0) ? '0' : String(value)
    case 'object': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new CanonicalJsonError(`${path}: invalid date`)
        return JSON.stringify(value.toISOString())
      }
      if (value instanceof Uint8Array) return JSON.stringify(hex(value))
      if (Array.isArray(value))
        return `[${value.map((v, i) => write(v === undefined ? null : v, `${path}[${i}]`)).join(',')}]`
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) {
        throw new CanonicalJsonError(
          `${path}: unsupported object type ${proto?.constructor?.name ?? 'unknown'}`,
        )
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v, `${path}.${k}`)}`).join(',')}}`
    }
    default:
      throw new CanonicalJsonError(`${path}: unsupported type ${typeof value}`)
  }
}

/** The canonical JSON text of a value (objects, arrays, strings, safe integers, bigint, booleans, null, Date, bytes). */
export function canonicalJson(value: unknown): string {
  return write(value, '$')
}

/** UTF-8 bytes of {@link canonicalJson}; what anchors are computed over. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value))
}
