/**
 * Zeek's per-endpoint TCP states (TCP_Endpoint), named as in Zeek scripts
 * (`c$orig$state == TCP_CLOSED`), and their codes in the flow store. What each means and how
 * an endpoint moves between them is in zeek-state.ts.
 */
export type ZeekEndpointState =
  | "TCP_INACTIVE"
  | "TCP_SYN_SENT"
  | "TCP_SYN_ACK_SENT"
  | "TCP_PARTIAL"
  | "TCP_ESTABLISHED"
  | "TCP_CLOSED"
  | "TCP_RESET";

/** Every state in a fixed order: the flow store keeps a state as its index here. Append only. */
export const ZEEK_STATES: readonly ZeekEndpointState[] = [
  "TCP_INACTIVE",
  "TCP_SYN_SENT",
  "TCP_SYN_ACK_SENT",
  "TCP_PARTIAL",
  "TCP_ESTABLISHED",
  "TCP_CLOSED",
  "TCP_RESET",
];

/** The state stored as `code`. */
export function zeekStateOf(code: number): ZeekEndpointState {
  return ZEEK_STATES[code] ?? "TCP_INACTIVE";
}
