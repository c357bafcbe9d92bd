// Entry point of the core for the faces: createApp(config) → NodevacApp.
export * from './types.js';
export { createApp, type AppSetup } from './app.js';
export type { BmcCredentials, Drivers } from './drivers.js';
