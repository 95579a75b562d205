#!/usr/bin/env node
// `npm start`: runs the apps locally on the embedded database, no Docker needed.
console.log('No app exists yet: apps/backend and apps/frontend arrive with the next changes.');
