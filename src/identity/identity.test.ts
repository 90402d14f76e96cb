/** Sessions, the directory and custodial keys against a real (in-memory) store. */
import { randomBytes } from 'node:crypto'
import { recoverMessageAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cprBlindIndex } from '../store/crypto.ts'
import { openStore, type Store } from '../store/database.ts'
import { storeDirectory } from './directory.ts'
import { custodialKeys } from './keys.ts'
import { MOR_CPR, PREBEN_CPR, persona } from './personas.ts'
import { mapClaims, type Principal } from './principal.ts'
import { type Session, sessionStore } from './sessions.ts'

let store: Store
const kek = new Uint8Array(randomBytes(32))

beforeAll(async () => {
  store = await openStore({ kind: 'pglite', dir: null })
})
afterAll(() => store.close())

const resolve = (login: string) => storeDirectory(store.db, kek).resolve(mapClaims(persona(login)!.claims))

describe('directory', () => {
  it('creates organisation and person on first login and finds them again', async () => {
    const ole = await resolve('ole')
    const again = await resolve('ole')
    expect(again.personId).toBe(ole.personId)
    expect(ole.organisation).toMatchObject({ kind: 'provider', code: '31457823', name: 'Østervold' })
    const sara = await resolve('sara')
    const bo = await resolve('bo')
    expect(sara.organisation!.id).toBe(bo.organisation!.id)
    const row = await store.db
      .selectFrom('people')
      .selectAll()
      .where('id', '=', sara.personId)
      .executeTakeFirstOrThrow()
    expect(row.subject).toBe('sara')
  })

  it('gives a citizen the blind indexes of her own and her child’s CPR, not the numbers', async () => {
    const mor = await resolve('mor')
    const hex = (cpr: string) => Buffer.from(cprBlindIndex(kek, cpr)).toString('hex')
    expect(mor.cprIndexes).toEqual([hex(MOR_CPR), hex(PREBEN_CPR)])
    expect(JSON.stringify(mor)).not.toContain(PREBEN_CPR)
  })
})

describe('sessions', () => {
  it('stores only a hash of the cookie value and expires', async () => {
    const sara = await resolve('sara')
    const sessions = sessionStore(store.db)
    const { token, session } = await sessions.create(sara)
    const rows = await store.db.selectFrom('identity_session').selectAll().execute()
    expect(rows.some((r) => r.id_hash === token)).toBe(false)
    expect((await sessions.find(token))?.principal.personId).toBe(sara.personId)
    expect(await sessions.find(`${token}x`)).toBeNull()
    await sessions.destroy(token)
    expect(await sessions.find(token)).toBeNull()
    expect(session.csrfToken.length).toBeGreaterThan(20)
    const short = sessionStore(store.db, { ttlSeconds: -1 })
    const expired = await short.create(sara)
    expect(await short.find(expired.token)).toBeNull()
  })
})

describe('custodial keys', () => {
  let sara: Principal
  let session: Session
  beforeAll(async () => {
    sara = await resolve('sara')
    session = (await sessionStore(store.db).create(sara)).session
  })

  it('creates one key per person on first need and keeps its address', async () => {
    const keys = custodialKeys(store.db, kek)
    const [a, b] = await Promise.all([keys.addressOf(sara.personId), keys.addressOf(sara.personId)])
    expect(a).toBe(b)
    expect(a).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const person = await store.db
      .selectFrom('people')
      .select('chain_address')
      .where('id', '=', sara.personId)
      .executeTakeFirst()
    expect(person?.chain_address).toBe(a.toLowerCase())
  })

  it('signs as the person inside her session, with the registered address', async () => {
    const keys = custodialKeys(store.db, kek)
    const address = await keys.addressOf(sara.personId)
    const signature = await keys.withPersonAccount(session, (account) =>
      account.signMessage({ message: 'underskrift' }),
    )
    expect(await recoverMessageAddress({ message: 'underskrift', signature })).toBe(address)
  })

  it('keeps the key encrypted at rest, bound to the person', async () => {
    const keys = custodialKeys(store.db, kek)
    const address = await keys.withPersonAccount(session, async (account) => account.address)
    const row = await store.db
      .selectFrom('identity_key')
      .selectAll()
      .where('person_id', '=', sara.personId)
      .executeTakeFirstOrThrow()
    expect(row.address).toBe(address)
    expect(row.encrypted_key).not.toMatch(/^(0x)?[0-9a-f]{64}$/)
    // Another KEK cannot use it.
    const otherKek = custodialKeys(store.db, new Uint8Array(randomBytes(32)))
    await expect(otherKek.withPersonAccount(session, async (a) => a.address)).rejects.toThrow(
      /authentication/,
    )
  })

  it('refuses sessions that the session store did not produce, or that expired', async () => {
    const keys = custodialKeys(store.db, kek)
    const forged = { ...session } as Session
    await expect(keys.withPersonAccount(forged, async (a) => a.address)).rejects.toMatchObject({
      code: 'unauthenticated',
    })
    const stale = await sessionStore(store.db, { ttlSeconds: 0.001 }).create(sara)
    await new Promise((r) => setTimeout(r, 5))
    await expect(keys.withPersonAccount(stale.session, async (a) => a.address)).rejects.toMatchObject({
      code: 'unauthenticated',
    })
  })
})
