/**
 * Helpers for the HTML report tests: the document parsed as XML (it is polyglot XHTML5) and
 * walked element by element, and the inline SVG drawings cut out of it.
 */
import assert from "node:assert/strict";
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface El {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly El[];
  /** Text directly inside, joined. */
  readonly text: string;
}

type Ordered = Record<string, unknown> & { ":@"?: Record<string, string> };

function convert(node: Ordered): El | null {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (name === undefined || name === "#text" || name === "#comment" || name === "!DOCTYPE")
    return null;
  const kids = (node[name] as Ordered[] | undefined) ?? [];
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(node[":@"] ?? {})) attrs[k.replace(/^@_/, "")] = String(v);
  const children: El[] = [];
  let text = "";
  for (const k of kids) {
    if ("#text" in k) text += String(k["#text"]);
    const c = convert(k);
    if (c !== null) children.push(c);
  }
  return { name, attrs, children, text };
}

/** The document, checked well-formed, as a tree of elements. */
export function parseXhtml(xml: string): El {
  assert.equal(XMLValidator.validate(xml), true, "well-formed XML");
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
  });
  const nodes = parser.parse(xml) as Ordered[];
  const root = nodes.map(convert).find((e): e is El => e !== null && e.name === "html");
  assert.ok(root !== undefined, "an html root element");
  return root;
}

export function* walk(e: El): Generator<El> {
  yield e;
  for (const c of e.children) yield* walk(c);
}

export const hasClass = (e: El, cls: string): boolean =>
  (e.attrs.class ?? "").split(/\s+/).includes(cls);

/** All text inside an element, depth first. */
export function textOf(e: El): string {
  return e.text + e.children.map(textOf).join("");
}

/** Every inline SVG as its own markup, cut from the document. */
export function svgDocuments(html: string): string[] {
  return html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

/**
 * A normalised outline of a report, for golden structure tests: its sections, the finding kinds
 * the brief explains, each ladder's counts of arrows by kind, state bands by side and state,
 * axis breaks, brackets and notes, the netstat charts and the index rows. No times, no
 * addresses, no markup: what a person sees, not how it is written.
 */
export function outline(html: string): string {
  const root = parseXhtml(html);
  const lines: string[] = [];
  const all = [...walk(root)];
  const main = all.find((e) => e.name === "main");
  assert.ok(main !== undefined);
  lines.push(`sections: ${main.children.map((s) => s.attrs.id ?? s.name).join(" ")}`);
  const kinds = all
    .filter((e) => (e.attrs.id ?? "").startsWith("kind-"))
    .map((e) => e.attrs.id?.slice(5));
  lines.push(`brief: ${kinds.join(" ") || "no findings"}`);
  for (const ladder of all.filter((e) => e.name === "section" && hasClass(e, "ladder"))) {
    const els = [...walk(ladder)];
    const count = (pred: (e: El) => boolean): number => els.filter(pred).length;
    const arrows = els.filter((e) => e.name === "g" && hasClass(e, "pk"));
    const byKind = new Map<string, number>();
    for (const a of arrows) {
      const cls = (a.attrs.class ?? "")
        .split(/\s+/)
        .filter((c) => c !== "pk")
        .join(".");
      byKind.set(cls, (byKind.get(cls) ?? 0) + 1);
    }
    const bands = (side: number): string =>
      els
        .filter((e) => e.name === "g" && hasClass(e, "bands"))
        .flatMap((g) => g.children)
        .filter((b) => hasClass(b, "band"))
        .filter((b) => {
          const x = Number(b.children.find((c) => c.name === "rect")?.attrs.x ?? 0);
          return side === 0 ? x < 500 : x >= 500;
        })
        .map((b) =>
          textOf(b.children.find((c) => c.name === "text") as El).replace(/ until .*/, ""),
        )
        .join(" > ");
    lines.push(
      `${ladder.attrs.id}: arrows ${arrows.length} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")})`,
      `  client: ${bands(0)}`,
      `  server: ${bands(1)}`,
      `  breaks ${count((e) => hasClass(e, "axis-break"))}, idle brackets ${count((e) => hasClass(e, "idle"))}, fin gap ${count((e) => hasClass(e, "fin-gap"))}, notes ${count((e) => e.name === "text" && hasClass(e, "note"))}`,
    );
  }
  lines.push(`netstat charts: ${count(all, (e) => e.name === "svg" && hasClass(e, "chart"))}`);
  const index = all.find((e) => e.attrs.id === "flow-index-table");
  lines.push(
    `index rows: ${index === undefined ? 0 : count([...walk(index)], (e) => e.name === "tr") - 1}`,
  );
  return lines.join("\n") + "\n";
}

const count = (els: readonly El[], pred: (e: El) => boolean): number => els.filter(pred).length;
