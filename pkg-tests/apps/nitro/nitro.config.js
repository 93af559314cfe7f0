// Nitro's defaults (the node-server preset); nothing here for jwksgate.
export default defineNitroConfig({ compatibilityDate: '2026-01-01' });
