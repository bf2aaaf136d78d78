/**
 * The catalogue of link-layer header types (LINKTYPE_* values as written in pcap and pcapng
 * files, https://www.tcpdump.org/linktypes.html): one table giving each value its registry name
 * and saying whether teardown decodes it. Everything else about link types (names in reports,
 * the README list of supported captures) comes from this table.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as some BSDs wrote it into files before LINKTYPE_RAW (101) existed. */
export const LINKTYPE_RAW_BSD = 12;
/** DLT_RAW as OpenBSD wrote it into files. */
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export interface LinkTypeInfo {
  readonly value: number;
  /** Registry name without the `LINKTYPE_` prefix. */
  readonly name: string;
  /** True when `decodePacket` opens this link type; false when it reports "unsupported-link". */
  readonly decoded: boolean;
  readonly description: string;
}

function row(value: number, name: string, description: string, decoded = false): LinkTypeInfo {
  return { value, name, decoded, description };
}

/** Private-use values 147..162 (libpcap reserves them for use within one organisation). */
const USER_ROWS = Array.from({ length: 16 }, (_, i) =>
  row(147 + i, `USER${i}`, "Reserved for private use"),
);

export const LINK_TYPES: readonly LinkTypeInfo[] = [
  row(LINKTYPE_NULL, "NULL", "BSD loopback, address family in the capturing host's order", true),
  row(
    LINKTYPE_ETHERNET,
    "ETHERNET",
    "Ethernet II / IEEE 802.3, with any 802.1Q/802.1ad tags",
    true,
  ),
  row(3, "AX25", "AX.25 amateur radio"),
  row(6, "IEEE802_5", "IEEE 802.5 Token Ring"),
  row(7, "ARCNET_BSD", "ARCNET with BSD-style header"),
  row(8, "SLIP", "SLIP with BPF pseudo-header"),
  row(9, "PPP", "PPP, with or without HDLC-like framing"),
  row(10, "FDDI", "FDDI"),
  row(LINKTYPE_RAW_BSD, "RAW", "Raw IPv4/IPv6 (old BSD DLT_RAW value)", true),
  row(LINKTYPE_RAW_OPENBSD, "RAW", "Raw IPv4/IPv6 (OpenBSD DLT_RAW value)", true),
  row(50, "PPP_HDLC", "PPP in HDLC-like framing"),
  row(51, "PPP_ETHER", "NetBSD PPPoE"),
  row(100, "ATM_RFC1483", "LLC/SNAP-encapsulated ATM"),
  row(LINKTYPE_RAW, "RAW", "Raw IPv4/IPv6, version from the first nibble", true),
  row(104, "C_HDLC", "Cisco HDLC"),
  row(105, "IEEE802_11", "IEEE 802.11 wireless"),
  row(107, "FRELAY", "Frame Relay"),
  row(LINKTYPE_LOOP, "LOOP", "OpenBSD loopback, address family big-endian", true),
  row(109, "ENC", "OpenBSD IPsec enc"),
  row(LINKTYPE_LINUX_SLL, "LINUX_SLL", "Linux cooked capture v1 (tcpdump -i any)", true),
  row(117, "PFLOG", "OpenBSD pflog"),
  row(119, "IEEE802_11_PRISM", "802.11 with Prism monitor-mode header"),
  row(122, "IP_OVER_FC", "IP over Fibre Channel"),
  row(123, "SUNATM", "Solaris SunATM"),
  row(127, "IEEE802_11_RADIOTAP", "802.11 with radiotap header"),
  row(129, "ARCNET_LINUX", "ARCNET with Linux-style header"),
  row(138, "APPLE_IP_OVER_IEEE1394", "Apple IP over FireWire"),
  row(139, "MTP2_WITH_PHDR", "SS7 MTP2 with pseudo-header"),
  row(140, "MTP2", "SS7 MTP2"),
  row(141, "MTP3", "SS7 MTP3"),
  row(142, "SCCP", "SS7 SCCP"),
  row(143, "DOCSIS", "DOCSIS MAC frames"),
  row(144, "LINUX_IRDA", "Linux IrDA"),
  ...USER_ROWS,
  row(163, "IEEE802_11_AVS", "802.11 with AVS header"),
  row(165, "BACNET_MS_TP", "BACnet MS/TP"),
  row(166, "PPP_PPPD", "PPP with pppd direction byte"),
  row(169, "GPRS_LLC", "GPRS LLC"),
  row(177, "LINUX_LAPD", "Linux vISDN LAPD"),
  row(187, "BLUETOOTH_HCI_H4", "Bluetooth HCI UART (H4)"),
  row(189, "USB_LINUX", "Linux USB"),
  row(192, "PPI", "Per-Packet Information header"),
  row(195, "IEEE802_15_4_WITHFCS", "IEEE 802.15.4 with FCS"),
  row(197, "ERF", "Endace ERF records"),
  row(201, "BLUETOOTH_HCI_H4_WITH_PHDR", "Bluetooth HCI UART (H4) with direction"),
  row(204, "PPP_WITH_DIR", "PPP with direction byte"),
  row(209, "IPMB_LINUX", "IPMB with Linux pseudo-header"),
  row(215, "IEEE802_15_4_NONASK_PHY", "IEEE 802.15.4 with non-ASK PHY header"),
  row(220, "USB_LINUX_MMAPPED", "Linux USB, memory-mapped header"),
  row(226, "IPNET", "Solaris ipnet"),
  row(227, "CAN_SOCKETCAN", "Linux SocketCAN"),
  row(LINKTYPE_IPV4, "IPV4", "Raw IPv4", true),
  row(LINKTYPE_IPV6, "IPV6", "Raw IPv6", true),
  row(230, "IEEE802_15_4_NOFCS", "IEEE 802.15.4 without FCS"),
  row(231, "DBUS", "D-Bus messages"),
  row(239, "NFLOG", "Linux netfilter NFLOG"),
  row(240, "NETANALYZER", "Hilscher netANALYZER"),
  row(242, "IPOIB", "IP over InfiniBand"),
  row(243, "MPEG_2_TS", "MPEG-2 transport stream"),
  row(247, "INFINIBAND", "InfiniBand"),
  row(248, "SCTP", "SCTP without IP"),
  row(249, "USBPCAP", "Windows USBPcap"),
  row(251, "BLUETOOTH_LE_LL", "Bluetooth LE link layer"),
  row(252, "WIRESHARK_UPPER_PDU", "Wireshark exported PDUs"),
  row(253, "NETLINK", "Linux netlink (nlmon)"),
  row(254, "BLUETOOTH_LINUX_MONITOR", "BlueZ monitor"),
  row(256, "BLUETOOTH_LE_LL_WITH_PHDR", "Bluetooth LE link layer with pseudo-header"),
  row(258, "PKTAP", "Apple PKTAP"),
  row(259, "EPON", "Ethernet Passive Optical Network"),
  row(266, "USB_DARWIN", "macOS USB"),
  row(271, "VSOCK", "Linux vsock"),
  row(272, "NORDIC_BLE", "Nordic BLE sniffer"),
  row(274, "ETHERNET_MPACKET", "IEEE 802.3br mPackets"),
  row(
    LINKTYPE_LINUX_SLL2,
    "LINUX_SLL2",
    "Linux cooked capture v2 (tcpdump -i any, libpcap >= 1.10)",
    true,
  ),
  row(279, "EBHSCR", "Elektrobit high-speed capture"),
  row(290, "ETW", "Event Tracing for Windows"),
];

const BY_VALUE = new Map<number, LinkTypeInfo>(LINK_TYPES.map((t) => [t.value, t]));

/** The catalogue row for a LINKTYPE value, or undefined when the table does not list it. */
export function linkTypeInfo(linkType: number): LinkTypeInfo | undefined {
  return BY_VALUE.get(linkType);
}

/** Registry name of a LINKTYPE value (`ETHERNET`), or `LINKTYPE_<n>` when the table lacks it. */
export function linkTypeName(linkType: number): string {
  return BY_VALUE.get(linkType)?.name ?? `LINKTYPE_${linkType}`;
}

/** True when the decoder opens this link type. */
export function isDecodedLinkType(linkType: number): boolean {
  return BY_VALUE.get(linkType)?.decoded ?? false;
}
