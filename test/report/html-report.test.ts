/**
 * The HTML report's structure on the incident samples: well-formed XML (the document and each of
 * its SVG drawings), the sections, ladders with one arrow per packet and state bands, links that
 * land, a Content-Security-Policy that allows exactly the inline style and script by hash, and
 * nothing that would make a request.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { XMLValidator } from "fast-xml-parser";
import { renderHtmlReport } from "../../src/report/html/html-report.js";
import { htmlInput } from "./html-fixture.js";
import { hasClass, parseXhtml, svgDocuments, textOf, walk, type El } from "./html-walk.js";
import { INCIDENT_SAMPLES } from "./read-report-input.js";

const sha = (s: string): string => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

function byId(root: El): Map<string, El> {
  const m = new Map<string, El>();
  for (const e of walk(root)) if (e.attrs.id !== undefined) m.set(e.attrs.id, e);
  return m;
}

describe("HTML report on the incident samples", () => {
  for (const path of INCIDENT_SAMPLES) {
    it(path, () => {
      const input = htmlInput([path]);
      const html = renderHtmlReport(input);
      const root = parseXhtml(html);
      for (const svg of svgDocuments(html))
        assert.equal(XMLValidator.validate(svg), true, svg.slice(0, 200));
      const ids = byId(root);
      for (const id of ["capture", "brief", "servers", "flows", "thresholds"])
        assert.ok(ids.has(id), `section #${id}`);
      // Every in-page link lands on an element of the document.
      for (const e of walk(root)) {
        const href = e.attrs.href;
        if (href === undefined) continue;
        assert.match(href, /^#/, `only in-page links: ${href}`);
        assert.ok(ids.has(href.slice(1)), `link target ${href}`);
      }
      // Each ladder: one arrow per packet drawn, bands on both lifelines, the frames numbered.
      for (const lf of input.flows.ladders) {
        const section = ids.get(`flow-${lf.flow.id}`);
        assert.ok(section !== undefined, `ladder of flow ${lf.flow.id}`);
        const els = [...walk(section)];
        const arrows = els.filter((e) => e.name === "g" && hasClass(e, "pk"));
        assert.equal(arrows.length, lf.packets.length);
        assert.deepEqual(
          arrows.map((a) => Number(a.attrs["data-frame"])),
          lf.packets.map((p) => p.frame),
        );
        const bands = els.filter((e) => e.name === "g" && hasClass(e, "band"));
        assert.equal(bands.length, lf.flow.states.client.length + lf.flow.states.server.length);
        for (const state of new Set(
          [...lf.flow.states.client, ...lf.flow.states.server].map((s) => s.state),
        ))
          assert.ok(textOf(section).includes(state.replace(/_/g, " ")), `band labelled ${state}`);
        // RSTs explained by a finding are drawn in its class and labelled with its title.
        for (const f of lf.flow.findings) assert.ok(textOf(section).includes(f.kind));
      }
      // The brief explains each finding kind present, in the catalogue's words.
      for (const kind of Object.keys(input.summary.byKind))
        assert.ok(ids.has(`kind-${kind}`), kind);
      // Index: one row per flow.
      const rows = [...walk(ids.get("flow-index-table") as El)].filter((e) => e.name === "tr");
      assert.equal(rows.length - 1, input.flows.index.length);
    });
  }

  it("servers and clients tables: requests per connection and the FIN-gap distribution", () => {
    /**
     * Each row of a table as {heading: cell text}, in document order: tags dropped, a cell's
     * lines joined by " / ", no-break spaces as spaces.
     */
    function rowsOf(html: string, id: string): Record<string, string>[] {
      assert.ok(byId(parseXhtml(html)).has(id), `#${id}`);
      const table = html.slice(html.indexOf(`<table id="${id}"`));
      const text = (cell: string): string =>
        cell
          .replace(/<br\/>/g, " / ")
          .replace(/<[^>]*>/g, "")
          .replace(/\u00a0/g, " ");
      const [head, ...rows] = table
        .slice(0, table.indexOf("</table>"))
        .split("<tr>")
        .slice(1)
        .map((tr) => [...tr.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((m) => text(m[1] ?? "")));
      return rows.map((cells) =>
        Object.fromEntries((head ?? []).map((h, i) => [h, cells[i] ?? ""])),
      );
    }
    // accept-backlog: gaps (tshark, first FIN to the other side's FIN by stream) of 94 µs,
    // 132 µs, 1.013, 4.313, 4.612, 4.912 and 5.213 s; two flows reset after the first FIN. HTTP
    // requests (tshark, by stream): 12, 12, 1 and 1 on four connections.
    const backlog = renderHtmlReport(htmlInput(["samples/incidents/accept-backlog.pcap"]));
    const [server] = rowsOf(backlog, "servers-table");
    assert.equal(
      server?.["FIN gap"],
      "7 gaps / p50 4.313 s / p90 5.213 s / max 5.213 s / long-fin-gap 5, server-silent 5",
    );
    assert.equal(server?.["requests per connection"], "mean 6.5 / 1: 2 / 10+: 2");
    assert.equal(
      rowsOf(backlog, "clients-table")[0]?.["FIN gap"],
      "7 gaps / p50 4.313 s / p90 5.213 s / max 5.213 s",
    );
    // connection-close: 20 connections of one request each, the client's FIN 25 to 144 µs after
    // the server's.
    const close = renderHtmlReport(htmlInput(["samples/incidents/connection-close.pcap"]));
    const [closing] = rowsOf(close, "servers-table");
    assert.equal(closing?.["requests per connection"], "mean 1.0 / 1: 20");
    assert.equal(closing?.["FIN gap"], "20 gaps / p50 63 µs / p90 90 µs / max 144 µs");
    // HTTP never parsed: a dash.
    const refused = renderHtmlReport(htmlInput(["samples/incidents/refused.pcap"]));
    assert.equal(rowsOf(refused, "servers-table")[0]?.["requests per connection"], "—");

    /** The sort key (`data-v`) of column `col` in each row of a table. */
    function sortKeys(html: string, id: string, col: number): number[] {
      const table = html.slice(html.indexOf(`<table id="${id}"`));
      return table
        .slice(table.indexOf("<tbody>"), table.indexOf("</table>"))
        .split("<tr>")
        .slice(1)
        .map((tr) => {
          const cell = [...tr.matchAll(/<td([^>]*)>/g)][col]?.[1] ?? "";
          return Number(/data-v="([^"]*)"/.exec(cell)?.[1]);
        });
    }
    // The two multi-line columns sort by the mean requests and the median gap (the script reads
    // data-v), not by their text ("mean 6.5 / 1: 2 ..."); none: -1, first.
    const [requests, gap, clientGap] = [
      sortKeys(backlog, "servers-table", 7),
      sortKeys(backlog, "servers-table", 9),
      sortKeys(backlog, "clients-table", 5),
    ];
    assert.deepEqual(requests, [6.5]);
    assert.ok(Math.abs(gap[0]! - 4.313) < 0.0005, `median gap sort key ${gap[0]}`);
    assert.deepEqual(clientGap, gap);
    assert.deepEqual(sortKeys(close, "servers-table", 7), [1]);
    assert.deepEqual(sortKeys(refused, "servers-table", 7), [-1]);
  });

  it("allows exactly its inline style and script by hash, and nothing else", () => {
    const html = renderHtmlReport(htmlInput([INCIDENT_SAMPLES[0] as string]));
    const root = parseXhtml(html);
    const els = [...walk(root)];
    const csp = els.find(
      (e) => e.name === "meta" && e.attrs["http-equiv"] === "Content-Security-Policy",
    );
    assert.ok(csp !== undefined);
    const styles = els.filter((e) => e.name === "style");
    const scripts = els.filter((e) => e.name === "script");
    assert.equal(styles.length, 1);
    assert.equal(scripts.length, 1);
    const policy = new Map(
      (csp.attrs.content ?? "").split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name as string, values.join(" ")];
      }),
    );
    assert.equal(policy.get("default-src"), "'none'");
    assert.equal(policy.get("style-src"), sha((styles[0] as El).text));
    assert.equal(policy.get("script-src"), sha((scripts[0] as El).text));
    assert.equal(policy.get("base-uri"), "'none'");
    assert.equal(policy.get("form-action"), "'none'");
    // The CSP comes before anything it governs, right after the charset.
    assert.ok(html.indexOf("Content-Security-Policy") < html.indexOf("<style>"));
    // Inline script and style survive as XML text untouched: no markup characters in them.
    assert.doesNotMatch((scripts[0] as El).text + (styles[0] as El).text, /[<&]|]]>/);
    // No event handler, style attribute, external reference or URL anywhere.
    for (const e of els) {
      for (const [name, value] of Object.entries(e.attrs)) {
        assert.doesNotMatch(
          name,
          /^on|^style$|^src$|^srcset$|^xlink:href$|^action$/i,
          `${e.name} ${name}`,
        );
        if (name === "href") assert.match(value, /^#[A-Za-z0-9-]+$/);
      }
      assert.ok(
        !["img", "link", "iframe", "object", "embed", "image", "use", "foreignObject"].includes(
          e.name,
        ),
        e.name,
      );
    }
    assert.doesNotMatch(
      html.replace(/xmlns="http:\/\/www\.w3\.org\/[0-9a-z/]+"/g, ""),
      /https?:|url\(/,
    );
  });

  it("several files read as one: frames labelled with their file and own number", () => {
    const input = htmlInput(
      ["samples/incidents/refused.pcap", "samples/incidents/client-timeout.pcap"],
      8,
    );
    const html = renderHtmlReport(input);
    const root = parseXhtml(html);
    const ids = byId(root);
    assert.ok(ids.has("files"));
    const second = input.flows.ladders.find((l) => (l.packets[0]?.frame ?? 0) > 6);
    assert.ok(second !== undefined, "a ladder from the second file");
    const p = second.packets[0]!;
    assert.ok(textOf(ids.get(`flow-${second.flow.id}`) as El).includes(`f2 #${p.frame - 6}`));
  });
});
