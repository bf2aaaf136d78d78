/** Regenerates the catalogue tables in README.md (`npm run docs`). */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fillGeneratedSections } from "../src/report/catalogue-markdown.js";

const readme = resolve(fileURLToPath(import.meta.url), "../../../README.md");
writeFileSync(readme, fillGeneratedSections(readFileSync(readme, "utf8")));
