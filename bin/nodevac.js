#!/usr/bin/env node
// Tiny launcher: the CLI entry decides what else to load.
// React's production build unless told otherwise: its development build is several times slower per frame and
// keeps a performance entry per component render, without bound. Set before anything loads React (a static
// import would run before this line).
process.env.NODE_ENV ??= 'production';
await import('../dist/cli/main.js');
