import { describe, expect, it } from 'vitest'
import { personas } from './personas.ts'
import { ClaimsError, kleCovers, mapClaims } from './principal.ts'

describe('mapClaims', () => {
  it('maps every scenario persona', () => {
    for (const p of personas) {
      const m = mapClaims(p.claims)
      expect(m.role, p.login).toBe(p.role)
      expect(m.subject).toBe(p.login)
    }
  })

  it('maps a staff member with organisation and KLE', () => {
    expect(
      mapClaims({
        sub: 'abc',
        name: 'Sara',
        tillid_role: 'caseworker',
        tillid_org_kind: 'municipality',
        tillid_org_code: '169',
        tillid_org_name: 'Høje-Taastrup Kommune',
        tillid_kle: '27.24.00 27.24.12',
      }),
    ).toEqual({
      subject: 'abc',
      name: 'Sara',
      role: 'caseworker',
      kind: 'staff',
      organisation: { kind: 'municipality', code: '169', name: 'Høje-Taastrup Kommune' },
      kle: ['27.24.00', '27.24.12'],
      cpr: null,
      custodyCprs: [],
    })
  })

  it('takes the first Tillid role of an Entra ID style roles array', () => {
    const m = mapClaims({
      sub: 'x',
      roles: ['Employee', 'finance'],
      tillid_org_kind: 'municipality',
      tillid_org_code: '169',
    })
    expect(m.role).toBe('finance')
  })

  it('maps a citizen with custody, normalising CPR numbers', () => {
    const m = mapClaims({
      sub: 'm',
      tillid_role: 'citizen',
      tillid_cpr: '020388-1234',
      tillid_custody: ['140815-4233'],
    })
    expect(m).toMatchObject({
      kind: 'citizen',
      organisation: null,
      cpr: '0203881234',
      custodyCprs: ['1408154233'],
    })
  })

  it('denies logins it cannot map (deny by default)', () => {
    const bad = [
      { sub: 'x' },
      { sub: 'x', tillid_role: 'superuser' },
      { sub: 'x', tillid_role: 'caseworker' },
      { sub: 'x', tillid_role: 'caseworker', tillid_org_kind: 'municipality', tillid_org_code: '16' },
      { sub: 'x', tillid_role: 'caseworker', tillid_org_kind: 'provider', tillid_org_code: '12345678' },
      {
        sub: 'x',
        tillid_role: 'provider_signatory',
        tillid_org_kind: 'municipality',
        tillid_org_code: '169',
      },
      { sub: 'x', tillid_role: 'citizen' },
      { sub: 'x', tillid_role: 'citizen', tillid_cpr: '12' },
      { tillid_role: 'admin' },
    ]
    for (const claims of bad) expect(() => mapClaims(claims), JSON.stringify(claims)).toThrow(ClaimsError)
  })
})

describe('kleCovers', () => {
  it('matches equal numbers and prefixes at dot boundaries only', () => {
    expect(kleCovers('27.24', '27.24.00')).toBe(true)
    expect(kleCovers('27', '27.24.00')).toBe(true)
    expect(kleCovers('27.24.00', '27.24.00')).toBe(true)
    expect(kleCovers('27.2', '27.24.00')).toBe(false)
    expect(kleCovers('27.24.00', '27.24')).toBe(false)
  })
})
