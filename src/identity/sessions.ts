/**
 * Login sessions in the store. The cookie carries 32 random bytes; the table keeps only their SHA-256,
 * so reading the table (or a backup) does not let anyone take over a session.
 */
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.ts'
import type { Principal } from './principal.ts'

export interface Session {
  readonly idHash: string
  readonly principal: Principal
  /** The CSRF token state-changing requests must echo in `x-csrf-token` (synchroniser token). */
  readonly csrfToken: string
  readonly expiresAt: Date
}

// Only sessions this module produced from the store count as authenticated; a look-alike object built
// elsewhere cannot unlock a custodial key (identity/keys.ts).
const authentic = new WeakSet<Session>()

export function isAuthenticSession(session: unknown): session is Session {
  return typeof session === 'object' && session !== null && authentic.has(session as Session)
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex')
const random = () => randomBytes(32).toString('base64url')

export interface SessionStore {
  /** Creates a session; returns the cookie value (shown once) and the session. */
  create(principal: Principal): Promise<{ token: string; session: Session }>
  /** The live session for a cookie value, or null (unknown, expired or logged out). */
  find(token: string): Promise<Session | null>
  destroy(token: string): Promise<void>
  destroyAllFor(personId: string): Promise<number>
  purgeExpired(): Promise<number>
}

export interface SessionOptions {
  /** Absolute lifetime of a session; a working day by default. */
  ttlSeconds?: number
}

export function sessionStore(db: Kysely<Database>, options: SessionOptions = {}): SessionStore {
  const ttl = options.ttlSeconds ?? 10 * 60 * 60
  const materialise = (idHash: string, principal: Principal, csrfToken: string, expiresAt: Date): Session => {
    const s: Session = Object.freeze({ idHash, principal: Object.freeze(principal), csrfToken, expiresAt })
    authentic.add(s)
    return s
  }
  return {
    async create(principal) {
      const token = random()
      const idHash = hash(token)
      const csrfToken = random()
      const expiresAt = new Date(Date.now() + ttl * 1000)
      await db
        .insertInto('identity_session')
        .values({
          id_hash: idHash,
          person_id: principal.personId,
          principal: JSON.stringify(principal),
          csrf_token: csrfToken,
          expires_at: expiresAt.toISOString(),
        })
        .execute()
      return { token, session: materialise(idHash, principal, csrfToken, expiresAt) }
    },
    async find(token) {
      if (!token || token.length > 100) return null
      const row = await db
        .selectFrom('identity_session')
        .selectAll()
        .where('id_hash', '=', hash(token))
        .executeTakeFirst()
      if (!row) return null
      const expiresAt = new Date(row.expires_at)
      if (expiresAt.getTime() <= Date.now()) return null
      return materialise(row.id_hash, JSON.parse(row.principal) as Principal, row.csrf_token, expiresAt)
    },
    async destroy(token) {
      await db.deleteFrom('identity_session').where('id_hash', '=', hash(token)).execute()
    },
    async destroyAllFor(personId) {
      const r = await db.deleteFrom('identity_session').where('person_id', '=', personId).executeTakeFirst()
      return Number(r.numDeletedRows)
    },
    async purgeExpired() {
      const r = await db
        .deleteFrom('identity_session')
        .where('expires_at', '<=', new Date())
        .executeTakeFirst()
      return Number(r.numDeletedRows)
    },
  }
}
