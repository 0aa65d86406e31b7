/**
 * The logging a unit of work needs. Workers take this instead of pino's Logger so they can be driven
 * with any sink (a pino child in production, a silent object in tests) without importing pino.
 */
export interface WorkLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
