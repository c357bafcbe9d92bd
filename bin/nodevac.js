#!/usr/bin/env -S node --max-old-space-size=1024
// Tiny launcher: the CLI entry decides what else to load.
// The heap cap (far above what nodevac uses: listing 10 x 500 nodes stays under 130 MB of RSS) makes V8 grow the heap by
// 1.6x instead of 4x before collecting: the TUI redraws the whole frame on every key, and the garbage would
// otherwise take it past 200 MB of RSS. It applies when nodevac is run as a command (this file's first line).
// React's production build unless told otherwise: its development build is several times slower per frame and
// keeps a performance entry per component render, without bound. Set before anything loads React (a static
// import would run before this line).
process.env.NODE_ENV ??= 'production';
await import('../dist/cli/main.js');
