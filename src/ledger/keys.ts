/**
 * Deterministic keys of the embedded ledger. The mnemonic is part of what pins the genesis
 * block (anvil funds its accounts from it), so it is fixed and public: these keys are for the
 * embedded/demo ledger only, never for a production network.
 */

import type { Hex, LocalAccount } from 'viem'
import { generatePrivateKey, type HDAccount, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'

export const LEDGER_MNEMONIC = 'test test test test test test test test test test test junk'

/** HD indices of the app's own roles; custodial keys for people are random (see randomCustodialKey). */
export const KEY_INDEX = { deployer: 0, keeper: 1 } as const

export function ledgerAccount(index: number): HDAccount {
  return mnemonicToAccount(LEDGER_MNEMONIC, { addressIndex: index })
}

export function deployerAccount(): HDAccount {
  return ledgerAccount(KEY_INDEX.deployer)
}

export function keeperAccount(): HDAccount {
  return ledgerAccount(KEY_INDEX.keeper)
}

/** A fresh random key for a custodial account; the caller encrypts and stores the private key. */
export function randomCustodialKey(): { privateKey: Hex; account: LocalAccount } {
  const privateKey = generatePrivateKey()
  return { privateKey, account: privateKeyToAccount(privateKey) }
}
