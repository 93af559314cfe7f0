// Environment for running wrangler offline and quietly (see shared TOOLCHAIN notes): no
// Cloudflare API calls, no update check, no telemetry, its state kept inside worker/.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const workerDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export function wranglerEnv(extra = {}) {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    WRANGLER_SEND_METRICS: 'false',
    XDG_CONFIG_HOME: join(workerDir, '.config'),
    ...extra,
  };
}

export const wranglerBin = join(workerDir, 'node_modules', '.bin', 'wrangler');
