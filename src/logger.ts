import pino, { type Logger } from 'pino';

/** JSON logs; secrets are redacted should they ever end up in a logged object. */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  return pino({
    level,
    base: { service: 'ct-guest-checkout' },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.password',
        'password',
        '*.clientSecret',
        'access_token',
        '*.access_token',
        '*.refresh_token',
        '*.token',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true } } } : {}),
  });
}
