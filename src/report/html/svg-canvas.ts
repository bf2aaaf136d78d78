/**
 * The one DOM the report draws its SVG in: a single d3-node (jsdom) document per report, in which
 * each chart or ladder is built, serialized as XML and removed before the next, because a jsdom
 * document costs tens of milliseconds to create and a report may hold dozens of drawings.
 *
 * Serialization is XML (XMLSerializer), not HTML's outerHTML, so that attribute values escape
 * `<` and the result is well-formed inside the XHTML document. Text that reaches a drawing from
 * a capture must be passed through escape.shown() first: XMLSerializer writes control
 * characters as they are, and XML forbids most of them.
 */
import { D3Node, type D3, type Selection } from "d3-node";

export type { Selection } from "d3-node";

export class SvgCanvas {
  private readonly node = new D3Node();
  private readonly serializer = new this.node.window.XMLSerializer();

  get d3(): D3 {
    return this.node.d3;
  }

  /**
   * Draws one SVG of the given size with `draw` and returns its markup. `label` becomes its
   * accessible name (role="img" with aria-label): teardown's own words, escaped by the DOM.
   */
  render(width: number, height: number, label: string, draw: (svg: Selection) => void): string {
    const svg = this.node.createSVG(width, height, {
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": label,
    });
    try {
      draw(svg);
      return this.serializer.serializeToString(svg.node());
    } finally {
      // Emptied after each drawing: the DOM never holds more than one.
      svg.remove();
    }
  }
}
