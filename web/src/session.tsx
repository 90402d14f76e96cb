import { createContext, useContext } from 'react'
import type { LedgerTime, Me, Role } from './api.ts'

export const roleLabel: Record<Role, string> = {
  caseworker: 'Sagsbehandler',
  centre_chief: 'Centerchef',
  director: 'Direktør',
  finance: 'Økonomimedarbejder',
  provider_signatory: 'Tegningsberettiget hos leverandør',
  auditor: 'Revisor',
  admin: 'Administrator',
  citizen: 'Borger',
}

export function roleText(role: string | undefined): string {
  if (!role) return ''
  return roleLabel[role as Role] ?? role
}

export interface Session {
  me: Me
  ledger: LedgerTime | null
  refreshLedger: () => void
}

export const SessionContext = createContext<Session | null>(null)

export function useSession(): Session {
  const s = useContext(SessionContext)
  if (!s) throw new Error('useSession outside a logged-in page')
  return s
}
