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
