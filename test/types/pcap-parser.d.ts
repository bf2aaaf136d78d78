// pcap-parser ships no types; this is the part of its API the oracle test uses.
declare module "pcap-parser" {
  import type { EventEmitter } from "node:events";
  import type { Readable } from "node:stream";
  const pcapParser: { parse(input: string | Readable): EventEmitter };
  export default pcapParser;
}
