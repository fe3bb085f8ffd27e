/**
 * The error type of the config layer.
 *
 * @module
 */

import { AppError, type AppErrorOptions } from "../errors.ts";

/** A config file that cannot be read, parsed, edited or resolved. Exit code 1 unless stated. */
export class ConfigError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options);
    this.name = "ConfigError";
  }
}
