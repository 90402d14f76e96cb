/**
 * The scenario's agreements (shared/docs/scenario-preben.md) as API request lines: one definition
 * for `tillid demo`, the API tests and the browser tests, so the amounts are written once.
 */
const monthly = (name: string, priceOre: string, start: string, end?: string, reviewDate?: string) => ({
  name,
  priceOre,
  unit: 'month' as const,
  schedule: { kind: 'monthly' as const },
  start,
  ...(end ? { end } : {}),
  ...(reviewDate ? { reviewDate } : {}),
  arrangedBy: 'provider' as const,
})

/** Step 1: ophold 52,000, skoledel 14,000 and taxi 6,500 kr a month (taxi until 30 April). */
export const placementLines = [
  monthly('Ophold', '5200000', '2026-02-01'),
  monthly('Skoledel', '1400000', '2026-02-01'),
  monthly('Taxi til og fra skole', '650000', '2026-02-01', '2026-04-30'),
]

/** Step 2: supervised contact, 4 hours every 2nd Sunday at 650 kr an hour. */
export const contactLines = [
  {
    name: 'Støttet samvær',
    priceOre: '65000',
    unit: 'hour' as const,
    schedule: { kind: 'sessions' as const, hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-01' },
    start: '2026-02-01',
    arrangedBy: 'provider' as const,
  },
]

/** Step 6: extra school support 9,800 kr a month, 1 March – 31 May, review due 15 May. */
export const schoolSupportLines = [
  monthly('Ekstra skolestøtte 6 t/uge', '980000', '2026-03-01', '2026-05-31', '2026-05-15'),
]
