/** Errors of the store with stable codes (mapped to problem+json by the API). */
export type StoreErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_INPUT'
  | 'CASE_ERASED'
  | 'DOCUMENT_EMPTY'
  | 'DOCUMENT_TOO_LARGE'
  | 'CONFLICT'

export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export function notFound(what: string, id: string): StoreError {
  return new StoreError('NOT_FOUND', `${what} ${id} not found`)
}

/** True for PostgreSQL's unique_violation (both adapters report SQLSTATE 23505). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505'
}

/** Runs an insert, turning a unique violation into a CONFLICT with a message naming what clashed. */
export async function conflictAs<T>(what: string, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert()
  } catch (e) {
    if (isUniqueViolation(e)) throw new StoreError('CONFLICT', `${what} already exists`)
    throw e
  }
}
