/** One pino logger for the process. Never log personal data: log ids and codes, not names or CPR. */
import pino, { type Logger } from 'pino'

// Ten digits (optionally 6-4) standing alone — not inside a longer number or a hex hash — whose first
// six read as a day (01–31) and a month (01–12). Looser than domain/cpr.ts (the logger sits below the
// domain): masking a number that only looks like a CPR costs nothing.
const CPR_SHAPED = /(?<![0-9A-Za-z])(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})[- ]?(\d{4})(?![0-9A-Za-z])/g

/**
 * Last line of defence for what no redact path can know: a CPR number somebody typed where an id
 * belongs ends up in the logged request URL. Every CPR-shaped number is masked.
 */
export function maskCprShaped(line: string): string {
  return line.replace(CPR_SHAPED, '[cpr]')
}

export function createLogger(level: string, name = 'tillid'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['cpr', '*.cpr', 'name', '*.name', 'req.headers.cookie'], remove: true },
    hooks: { streamWrite: maskCprShaped },
  })
}
