/**
 * Errors raised by the ledger. Each has a stable `code` that the API maps to problem+json and
 * tests match on; the message is one line an operator can act on.
 */
import type { Hex } from 'viem'

export type LedgerErrorCode =
  | 'LEDGER_BINARY_MISSING'
  | 'LEDGER_VERSION_MISMATCH'
  | 'LEDGER_PORT_IN_USE'
  | 'LEDGER_START_FAILED'
  | 'LEDGER_DATA_DIR_IN_USE'
  | 'LEDGER_PARAMS_CHANGED'
  | 'LEDGER_REPLAY_DIVERGED'
  | 'LEDGER_UNAVAILABLE'
  | 'LEDGER_STOPPED'
  | 'LEDGER_CLOCK_BACKWARDS'
  | 'LEDGER_NOT_SUPPORTED'
  | 'LEDGER_TX_REJECTED'
  | 'LEDGER_REVERTED'
  | 'LEDGER_KEY_INVALID'

export class LedgerError extends Error {
  override name = 'LedgerError'
  readonly code: LedgerErrorCode

  constructor(code: LedgerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/**
 * A transaction (or its simulation) reverted. `errorName` and `args` are the decoded custom error
 * when the caller gave an ABI that declares it; `data` is the raw revert data either way.
 */
export class LedgerRevertError extends LedgerError {
  override name = 'LedgerRevertError'
  readonly errorName: string | undefined
  readonly args: readonly unknown[]
  readonly data: Hex | undefined
  /** Set when the transaction was mined with status reverted (it is then on the chain and journaled). */
  readonly transactionHash: Hex | undefined

  constructor(params: {
    errorName?: string | undefined
    args?: readonly unknown[] | undefined
    data?: Hex | undefined
    transactionHash?: Hex | undefined
    reason?: string | undefined
  }) {
    const what = params.errorName
      ? `${params.errorName}(${(params.args ?? []).map(String).join(', ')})`
      : (params.reason ?? (params.data ? `unknown error ${params.data.slice(0, 10)}` : 'no reason given'))
    super('LEDGER_REVERTED', `transaction reverted: ${what}`)
    this.errorName = params.errorName
    this.args = params.args ?? []
    this.data = params.data
    this.transactionHash = params.transactionHash
  }
}
