/** One pino logger for the process. Never log personal data: log ids and codes, not names or CPR. */
import pino, { type Logger } from 'pino'

export function createLogger(level: string, name = 'tillid'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['cpr', '*.cpr', 'name', '*.name', 'req.headers.cookie'], remove: true },
  })
}
