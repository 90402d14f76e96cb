import type { ColumnType, Generated } from 'kysely'

/** date columns: written as ISO 'YYYY-MM-DD', read back as whatever the driver gives (cast in queries). */
type DateColumn = ColumnType<string, string, string>
type Int8 = ColumnType<string, string | bigint | number, string | bigint | number>

export type ConnectionStatus = 'klarmeldt' | 'delvis' | 'nej' | 'irrelevant'

export interface AnalyticsTables {
  analytics_municipality: {
    code: number
    name: string
    region: string
    inhabitants: number | null
    inhabitants_source: string | null
    synthetic: ColumnType<boolean, boolean | undefined, boolean>
  }
  /** History: one row per status change; the newest row on or before a date is the status then. */
  analytics_connection_status: {
    id: Generated<string>
    municipality_code: number
    provider: string
    system: string
    status: ConnectionStatus
    status_date: DateColumn
    synthetic: ColumnType<boolean, boolean | undefined, boolean>
  }
  analytics_usage_monthly: {
    municipality_code: number
    /** 'YYYY-MM' */
    month: string
    api_calls: Int8
    events: Int8
    synthetic: ColumnType<boolean, boolean | undefined, boolean>
  }
  analytics_agreement_facts: {
    agreement_id: string
    municipality_code: number
    template: string
    kle: string
    provider: string
    created_date: DateColumn
    activated_date: DateColumn | null
    terminated_date: DateColumn | null
    last_paid_date: DateColumn | null
    synthetic: ColumnType<boolean, boolean | undefined, boolean>
  }
  analytics_agreement_activity: {
    agreement_id: string
    /** '2026Q2' */
    quarter: string
    municipality_code: number
    reports_due: number
    reports_on_time: number
    payments_withheld: number
    withheld_ore: Int8
    payments_released: number
    released_ore: Int8
    invoices: number
    invoice_deviations: number
    synthetic: ColumnType<boolean, boolean | undefined, boolean>
  }
}
