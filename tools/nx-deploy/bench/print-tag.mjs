#!/usr/bin/env node
// Content-tag command for the benchmark's one-app change: prints {image, tag} as the image
// tooling's image-state.cjs --json does, with a tag chosen by the benchmark (no build involved).
const [project, image, tag] = process.argv.slice(2);
console.log(JSON.stringify({ project, image, tag }));
