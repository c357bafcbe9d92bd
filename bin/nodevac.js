#!/usr/bin/env node
// Tiny launcher: the CLI entry decides what else to load.
import '../dist/cli/main.js';
