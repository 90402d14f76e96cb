/**
 * Custodial ledger keys (architecture.md §5): one secp256k1 key per person, created on first need,
 * stored encrypted (AES-256-GCM under a key derived from the key-encryption key, bound to the person id),
 * and decrypted only inside `withPersonAccount`, which demands that person's live, authenticated session.
 */
import { hkdfSync } from 'node:crypto'
import type { Kysely } from 'kysely'
import { type Address, type Hex, isHex } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { KEY_BYTES, open, seal } from '../store/crypto.ts'
import type { Database } from '../store/schema.ts'
import { isAuthenticSession, type Session } from './sessions.ts'

export class CustodialKeyError extends Error {
  override name = 'CustodialKeyError'
  constructor(
    readonly code: 'unauthenticated' | 'internal',
    message: string,
  ) {
    super(message)
  }
}

export interface CustodialKeys {
  /** The person's ledger address, creating the key if the person has none yet (for directory registration). */
  addressOf(personId: string): Promise<Address>
  /**
   * Runs `fn` with the session holder's account. The session must be one the session store produced
   * and not expired; the private key never leaves this call except as signatures made by `fn`.
   */
  withPersonAccount<T>(session: Session, fn: (account: PrivateKeyAccount) => Promise<T>): Promise<T>
}

const aad = (personId: string) => `custodial-key/${personId}`

export function custodialKeys(db: Kysely<Database>, kek: Uint8Array): CustodialKeys {
  if (kek.length !== KEY_BYTES) throw new CustodialKeyError('internal', 'key-encryption key must be 32 bytes')
  const key = new Uint8Array(
    hkdfSync('sha256', kek, new Uint8Array(0), 'tillid/custodial-keys/v1', KEY_BYTES),
  )

  async function load(personId: string): Promise<{ address: Address; encrypted: string }> {
    const existing = await db
      .selectFrom('identity_key')
      .select(['address', 'encrypted_key'])
      .where('person_id', '=', personId)
      .executeTakeFirst()
    if (existing) return { address: existing.address as Address, encrypted: existing.encrypted_key }
    const privateKey = generatePrivateKey()
    const address = privateKeyToAccount(privateKey).address
    const encrypted = Buffer.from(seal(key, Buffer.from(privateKey.slice(2), 'hex'), aad(personId))).toString(
      'base64',
    )
    // Two first requests of one person may race; the primary key lets exactly one key win.
    await db
      .insertInto('identity_key')
      .values({ person_id: personId, address, encrypted_key: encrypted })
      .onConflict((oc) => oc.column('person_id').doNothing())
      .execute()
    const row = await db
      .selectFrom('identity_key')
      .select(['address', 'encrypted_key'])
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow()
    if (row.address === address) {
      // Lets the store find a person from an on-chain signer; people rows may not exist in every setup.
      await db
        .updateTable('people')
        .set({ chain_address: address.toLowerCase() })
        .where('id', '=', personId)
        .execute()
    }
    return { address: row.address as Address, encrypted: row.encrypted_key }
  }

  return {
    async addressOf(personId) {
      return (await load(personId)).address
    },
    async withPersonAccount(session, fn) {
      if (!isAuthenticSession(session) || session.expiresAt.getTime() <= Date.now()) {
        throw new CustodialKeyError(
          'unauthenticated',
          'a custodial key is only usable inside its owner’s session',
        )
      }
      const personId = session.principal.personId
      const { encrypted } = await load(personId)
      const plain = open(key, Buffer.from(encrypted, 'base64'), aad(personId))
      const hex = `0x${Buffer.from(plain).toString('hex')}` as Hex
      plain.fill(0)
      if (!isHex(hex) || hex.length !== 66) throw new CustodialKeyError('internal', 'stored key is malformed')
      return fn(privateKeyToAccount(hex))
    },
  }
}
