/**
 * Deterministic keys of the embedded ledger. The mnemonic is part of what pins the genesis
 * block (anvil funds its accounts from it), so it is fixed and public: these keys are for the
 * embedded/demo ledger only, never for a production network.
 */

import { promises as fs } from 'node:fs'
import type { Hex, LocalAccount } from 'viem'
import { generatePrivateKey, type HDAccount, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { LedgerError } from './errors.ts'

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

/**
 * The operator (deployer/registrar) key of a real network, from a file holding one 32-byte hex
 * key. Refused when group or others may read it: the key registers organisations and members.
 */
export async function accountFromKeyFile(file: string): Promise<LocalAccount> {
  let text: string
  try {
    const stat = await fs.stat(file)
    if ((stat.mode & 0o077) !== 0) {
      throw new LedgerError(
        'LEDGER_KEY_INVALID',
        `${file} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`,
      )
    }
    text = (await fs.readFile(file, 'utf8')).trim()
  } catch (e) {
    if (e instanceof LedgerError) throw e
    throw new LedgerError(
      'LEDGER_KEY_INVALID',
      `the key file ${file} cannot be read: ${(e as Error).message}`,
    )
  }
  const hex = text.startsWith('0x') ? text : `0x${text}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new LedgerError('LEDGER_KEY_INVALID', `${file} does not hold a 32-byte hex private key`)
  }
  return privateKeyToAccount(hex as Hex)
}
