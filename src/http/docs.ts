import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { dirname } from 'node:path';
import { headersOf } from './middleware/security-headers.middleware';

/** The Swagger UI files the page loads, served from the swagger-ui-dist package: nothing from a CDN. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);
const INIT_SCRIPT = 'docs-init.js';

/**
 * The docs page (GET /docs, declared in operations.routes.ts): renders /openapi.json with Swagger UI;
 * "Authorize" takes an API key and "Try it out" sends requests to this service.
 */
export const DOCS_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>commercetools guest checkout API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/${INIT_SCRIPT}"></script>
</body>
</html>
`;

// A file of its own rather than an inline script, so helmet's CSP (script-src 'self') covers it as is.
// persistAuthorization keeps the key entered under "Authorize" across reloads (in the browser's
// localStorage); no validator badge, no top bar: the page fetches nothing but this service.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/** Where the installed swagger-ui-dist lives (its package.json sits at the root of the package). */
function swaggerUiDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/**
 * The page's own Content-Security-Policy, computed once. helmet's default CSP fits Swagger UI
 * (scripts and styles from 'self', icons from data:) except for upgrade-insecure-requests: served
 * over plain HTTP on a non-loopback host, the browser would then fetch every asset and
 * /openapi.json over https and the page would stay blank. Only the page needs the change: a CSP
 * governs documents, not the scripts and styles they load.
 */
export function docsPageHeaders(): Record<string, string> {
  const csp = helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } });
  return Object.fromEntries(headersOf(csp));
}

/**
 * The files the docs page loads, mounted at /docs/assets: only the listed files, anything else
 * falls through to the 404 problem. Middleware rather than routes: they are not operations of the API.
 */
export function docsAssets(): RequestHandler {
  const files = express.static(swaggerUiDir(), { index: false, maxAge: '1h', fallthrough: true });
  return (req: Request, res: Response, next: NextFunction) => {
    const name = req.path.slice(1);
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (!readable || !(ASSETS.has(name) || name === INIT_SCRIPT)) return next();
    res.locals.route = '/docs/assets';
    if (name === INIT_SCRIPT) {
      res.type('js').send(INIT);
      return;
    }
    files(req, res, next);
  };
}
