import type { ColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, string | undefined, never>

export interface IdentityTables {
  /** Logged-in sessions; the cookie holds a random value whose SHA-256 is `id_hash`. */
  identity_session: {
    id_hash: string
    person_id: string
    /** JSON of the Principal (identity/principal.ts) as mapped from the IdP's claims at login. */
    principal: string
    csrf_token: string
    created_at: CreatedAt
    last_seen_at: ColumnType<Date, string | undefined, string>
    expires_at: ColumnType<Date, string, string>
  }
  /** Custodial secp256k1 keys, one per person, encrypted under the key-encryption key. */
  identity_key: {
    person_id: string
    address: string
    encrypted_key: string
    created_at: CreatedAt
  }
  /** Responses to POSTs with an Idempotency-Key, replayed on retry (scope = person or 'anonymous'). */
  api_idempotency: {
    scope: string
    key: string
    fingerprint: string
    state: 'pending' | 'done'
    status_code: number | null
    content_type: string | null
    body: string | null
    created_at: ColumnType<Date, string | undefined, string | undefined>
    completed_at: ColumnType<Date | null, string | undefined, string | undefined>
  }
}
