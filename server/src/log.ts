import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { secretRedaction } from './log-redaction.js';

/**
 * Axon's logger: one JSON line per event (pino), `level`, `time`, `component` (the logger's scope, such as
 * `axon:session:<id>`), `msg` and the event's fields, secrets redacted; pino-pretty's lines for a person at
 * a terminal. Callers see only this small interface; pino stays behind it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

/** What every Axon log shares, wherever its lines go. */
export function logOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    // No pid or hostname on every line: call sites log pids of their own (FFmpeg's, a mediasoup worker's),
    // and whatever collects the lines (journald, Docker) records the process and the host.
    base: undefined,
    // Level names and ISO times read the same to a person and to a log shipper.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Axon's call sites name an error `err` or `error`; either way its type, message and stack are kept.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: secretRedaction,
  };
}

/** Synchronous writes: a line logged just before the process exits (a failed start, a crash) is not lost. */
function processLog(level: LogLevel, format: LogFormat): PinoLogger {
  if (format === 'json') return pino(logOptions(level), pino.destination({ dest: 1, sync: true }));
  const lines = pretty({
    destination: 1,
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,component',
    messageFormat: '[{component}] {msg}',
  });
  return pino(logOptions(level), lines);
}

let settings: { level: LogLevel; format: LogFormat } = { level: 'info', format: 'json' };
let root: PinoLogger | undefined;
const processRoot = (): PinoLogger => (root ??= processLog(settings.level, settings.format));

/** Applies to every logger, those created before included. */
export function setLogLevel(level: LogLevel): void {
  settings = { ...settings, level };
  root = undefined;
}

export function setLogFormat(format: LogFormat): void {
  settings = { ...settings, format };
  root = undefined;
}

const pinoBehind = new WeakMap<Logger, () => PinoLogger>();

/** A logger whose lines carry `component: scope`; `rootOf` is the pino logger its lines go to (the process's by default). */
export function createLogger(scope: string, rootOf: () => PinoLogger = processRoot): Logger {
  let bound: { root: PinoLogger; logger: PinoLogger } | undefined;
  // Bound on first use and again after setLogLevel or setLogFormat, which give the process a new root.
  const target = (): PinoLogger => {
    const current = rootOf();
    if (bound?.root !== current) bound = { root: current, logger: current.child({ component: scope }) };
    return bound.logger;
  };
  const at = (level: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (fields) target()[level](fields, msg);
    else target()[level](msg);
  };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (sub) => createLogger(`${scope}:${sub}`, rootOf),
  };
  pinoBehind.set(logger, target);
  return logger;
}

/** The pino logger behind one of createLogger's loggers (for Fastify); none behind a logger made otherwise. */
export function pinoLoggerOf(log: Logger): PinoLogger | undefined {
  return pinoBehind.get(log)?.();
}
