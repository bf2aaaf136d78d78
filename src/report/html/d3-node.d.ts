// d3-node ships no types (and @types/d3 is not installed): this declares the part of its API,
// and of the d3 and jsdom objects it hands out, that the HTML report uses.
declare module "d3-node" {
  export interface DomNode {
    readonly childNodes: { readonly length: number };
  }

  export interface Selection {
    append(name: string): Selection;
    attr(name: string, value: string | number): Selection;
    text(value: string): Selection;
    remove(): Selection;
    node(): DomNode;
  }

  export interface LinearScale {
    (value: number): number;
    domain(values: readonly number[]): LinearScale;
    range(values: readonly number[]): LinearScale;
    nice(count?: number): LinearScale;
    ticks(count?: number): number[];
  }

  export interface D3 {
    select(node: DomNode): Selection;
    scaleLinear(): LinearScale;
  }

  export interface D3NodeOptions {
    readonly selector?: string;
    readonly container?: string;
  }

  export class D3Node {
    constructor(options?: D3NodeOptions);
    readonly d3: D3;
    readonly document: { readonly body: DomNode };
    readonly window: {
      readonly XMLSerializer: new () => { serializeToString(node: DomNode): string };
    };
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): Selection;
  }
}
