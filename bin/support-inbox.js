#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has produced dist/, else the TypeScript sources through tsx,
// so `npx support-inbox` works on a fresh clone as well as in the Docker image.
// `ingest` as an MTA pipe runs it (once per mail) first tries cli/ingest-pipe, which loads no application
// code and hands the message to the running worker; it returns null for any other form of the command.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const compiled = existsSync(join(root, "dist", "cli", "main.js"));
if (!compiled) {
  const { register } = await import("tsx/esm/api");
  register();
}
const module = (name) => pathToFileURL(compiled ? join(root, "dist", "cli", `${name}.js`) : join(root, "src", "cli", `${name}.ts`)).href;
const args = process.argv.slice(2);
const piped = args.includes("ingest") ? await (await import(module("ingest-pipe"))).pipeIngest(args, process.env) : null;
if (piped !== null) process.exitCode = piped;
else await import(module("main"));
