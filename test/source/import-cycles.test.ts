/**
 * No module of src/ imports itself back through others, type-only imports included. The lint
 * rules keep the layers importing in one direction (STYLE.md, practice 12); within a layer, a
 * cycle means two files share one job, or one of them holds a type that belongs to both.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { REPO_ROOT } from "../differential/capture-files.js";

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

/** The files of `files` that `file` imports or re-exports from, by relative specifier. */
function importsOf(file: string, files: ReadonlySet<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith("."))
    .map((name) => join(dirname(file), name.replace(/\.js$/, ".ts")))
    .filter((path) => files.has(path));
}

/**
 * The strongly connected components of more than one file, and the files that import
 * themselves (Tarjan).
 */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("src/ import graph", () => {
  const files = sources(join(REPO_ROOT, "src"));
  const set = new Set(files);
  const graph = new Map(files.map((f) => [f, importsOf(f, set)]));

  it("reads the imports (type-only, re-exports and multi-line lists too)", () => {
    const flowIndex = graph.get(join(REPO_ROOT, "src", "flow", "index.ts")) ?? [];
    assert.ok(flowIndex.includes(join(REPO_ROOT, "src", "flow", "tracker.ts")));
    const total = [...graph.values()].reduce((n, deps) => n + deps.length, 0);
    assert.ok(files.length > 100 && total > files.length, `${files.length} files, ${total} edges`);
  });

  it("finds a cycle when there is one", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e"]],
    ]);
    assert.deepEqual(cycles(g), [["a", "b", "c"], ["e"]]);
  });

  it("has no cycle", () => {
    const named = cycles(graph).map((c) => c.map((f) => relative(REPO_ROOT, f)).join(" <-> "));
    assert.deepEqual(named, []);
  });
});
