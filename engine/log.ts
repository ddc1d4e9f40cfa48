import { pino, destination as pinoDestination, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

/**
 * Logs go to stderr, one record per batch and per problem, never a claim body. Redaction is the
 * safety net for the fields that are protected health information, should one ever reach a log.
 */
export const REDACTED_PATHS = [
  'claim',
  'claims',
  'raw',
  'patient',
  'subscriber',
  '*.claim',
  '*.raw',
  '*.patient',
  '*.subscriber',
  '*.memberId',
  '*.dateOfBirth',
  '*.firstName',
  '*.lastName',
  '*.address',
  '*.*.memberId',
  '*.*.dateOfBirth',
  '*.*.firstName',
  '*.*.lastName',
  '*.*.address',
];

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LevelWithSilent = 'warn', destination: DestinationStream = pinoDestination({ fd: 2, sync: true })): Logger {
  return pino({ name: 'claimscrub', level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { pid: process.pid } }, destination);
}

export type { Logger };
