/**
 * Structured JSON logs (winston), one object per line on stderr so stdout stays free for
 * command output. Every line carries `component` and, for node processes, `process` id fields.
 * Level from MINIDFS_LOG_LEVEL (default info).
 */
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(component: string, fields: Record<string, unknown> = {}): Logger {
  return winston.createLogger({
    level: process.env.MINIDFS_LOG_LEVEL ?? 'info',
    defaultMeta: { component, ...fields },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
  });
}

/** A logger that drops everything; for pure-core unit tests. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
