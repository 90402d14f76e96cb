/**
 * Keeps the on-chain directory in step with the IdP: the first time a person acts on the ledger,
 * their organisation is registered (if new) and their custodial address is made a member with
 * the role their IdP claims give them. The operator account does this as each organisation's
 * administrator, so no person ever needs a wallet.
 */
import { hkdfSync } from 'node:crypto'
import { type Address, keccak256, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Principal, Role } from '../identity/principal.ts'
import type { Actor, ServiceContext } from './context.ts'
import { readContract, writeContract } from './ledgerWrites.ts'

/** Bit positions of contracts/src/Types.sol `Role`. */
const ROLE_BIT: Partial<Record<Role, number>> = {
  caseworker: 0,
  centre_chief: 1,
  director: 2,
  finance: 3,
  provider_signatory: 4,
  auditor: 5,
  admin: 7,
}

export function orgIdOf(kind: 'municipality' | 'provider', code: string): bigint {
  // Directory.municipalityOrg / providerOrg: kind in bits 32–39 (1 municipality, 2 provider), code below.
  return (BigInt(kind === 'municipality' ? 1 : 2) << 32n) | BigInt(Number(code))
}

/**
 * The administrator account of an organisation in the on-chain directory: a custodial key derived
 * from the key-encryption key, one per organisation (the directory lets an account belong to one
 * organisation only).
 */
export function orgAdminAccount(ctx: ServiceContext, orgId: bigint): LocalAccount {
  const seed = hkdfSync('sha256', ctx.kek, new Uint8Array(0), `tillid/org-admin/${orgId}`, 32)
  return privateKeyToAccount(keccak256(new Uint8Array(seed)))
}

export async function ensureOrganisation(
  ctx: ServiceContext,
  kind: 'municipality' | 'provider',
  code: string,
) {
  const org = orgIdOf(kind, code)
  const registered = (await readContract(ctx, 'directory', 'registered', [Number(org)])) as boolean
  if (registered) return org
  const admin = orgAdminAccount(ctx, org).address
  const register = kind === 'municipality' ? 'registerMunicipality' : 'registerProvider'
  try {
    await writeContract(ctx, ctx.operator, 'directory', register, [Number(code), admin])
  } catch (err) {
    // Two first acts of the same organisation at once both see it unregistered; the later write is
    // refused (OrganisationAlreadyRegistered), which is the outcome it wanted.
    if (!((await readContract(ctx, 'directory', 'registered', [Number(org)])) as boolean)) throw err
  }
  return org
}

/** Makes `address` a member of the principal's organisation with the principal's role. */
export async function ensureMember(
  ctx: ServiceContext,
  principal: Principal,
  address: Address,
): Promise<void> {
  const org = principal.organisation
  const bit = ROLE_BIT[principal.role]
  if (!org || bit === undefined) return
  const want = 1 << bit
  const [memberOrg, roles] = (await readContract(ctx, 'directory', 'memberOf', [address])) as [number, number]
  // A member of the organisation implies the organisation is registered: one read on every write.
  if (BigInt(memberOrg) === orgIdOf(org.kind, org.code) && (roles & want) !== 0) return
  const orgId = await ensureOrganisation(ctx, org.kind, org.code)
  await writeContract(ctx, await memberAdmin(ctx, orgId), 'directory', 'setMember', [
    Number(orgId),
    address,
    roles | want,
  ])
}

/**
 * Who may set members of `orgId`: this installation's administrator account of it, or — when
 * another Tillid on the same chain registered the organisation first (a provider serving two
 * municipalities), so the administrator is that installation's — this installation's operator,
 * which the Directory accepts as registrar.
 */
async function memberAdmin(ctx: ServiceContext, orgId: bigint): Promise<LocalAccount> {
  const admin = orgAdminAccount(ctx, orgId)
  const isAdmin = (await readContract(ctx, 'directory', 'hasOrgRole', [
    Number(orgId),
    admin.address,
    ROLE_BIT.admin!,
  ])) as boolean
  return isAdmin ? admin : ctx.operator
}

/** Runs `fn` with the actor's account after making sure the directory knows them. */
export async function asMember<T>(
  ctx: ServiceContext,
  actor: Actor,
  fn: (account: LocalAccount) => Promise<T>,
): Promise<T> {
  return actor.withAccount(async (account) => {
    await ensureMember(ctx, actor.principal, account.address)
    return fn(account)
  })
}
