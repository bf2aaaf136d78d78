package main

// TLS hellos written byte by byte: crypto/tls refuses server names that are
// not host names (and ALPN names are its caller's), so a hostile SNI or ALPN
// list has to be written by hand. The layouts are RFC 8446 4.1.2 and 4.1.3
// (hellos), RFC 6066 3 (server_name), RFC 7301 3.1 (ALPN) and RFC 8446 4.2.1
// (supported_versions); records are RFC 8446 5.1.

const (
	recordHandshake = 22
	recordAlert     = 21
	hsClientHello   = 1
	hsServerHello   = 2
	extServerName   = 0
	extALPN         = 16
	extVersions     = 43
)

func u16(n int) []byte { return []byte{byte(n >> 8), byte(n)} }
func u24(n int) []byte { return []byte{byte(n >> 16), byte(n >> 8), byte(n)} }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// random is a fixed hello random: the capture is the same bytes every run.
func random(seed byte) []byte {
	r := make([]byte, 32)
	for i := range r {
		r[i] = seed + byte(i)*7
	}
	return r
}

func extension(typ int, body []byte) []byte { return cat(u16(typ), u16(len(body)), body) }

func alpnList(protocols []string) []byte {
	var list []byte
	for _, p := range protocols {
		list = append(list, byte(len(p)))
		list = append(list, p...)
	}
	return cat(u16(len(list)), list)
}

func handshakeRecord(msgType byte, body []byte) []byte {
	msg := cat([]byte{msgType}, u24(len(body)), body)
	// legacy_record_version 0x0301 for a ClientHello (RFC 8446 5.1), 0x0303 after.
	version := []byte{3, 3}
	if msgType == hsClientHello {
		version = []byte{3, 1}
	}
	return cat([]byte{recordHandshake}, version, u16(len(msg)), msg)
}

// clientHello offers TLS 1.3 and 1.2 with server_name and ALPN as given
// (each ALPN name 1 to 255 bytes).
func clientHello(sni string, alpn []string) []byte {
	name := cat([]byte{0}, u16(len(sni)), []byte(sni)) // host_name
	exts := cat(
		extension(extServerName, cat(u16(len(name)), name)),
		extension(extALPN, alpnList(alpn)),
		extension(extVersions, []byte{4, 3, 4, 3, 3}),
	)
	body := cat(
		[]byte{3, 3}, random(0x11),
		[]byte{0},                              // legacy_session_id
		u16(4), []byte{0x13, 0x01, 0xc0, 0x2f}, // TLS_AES_128_GCM_SHA256, ECDHE_RSA_AES_128_GCM_SHA256
		[]byte{1, 0}, // legacy_compression_methods: null
		u16(len(exts)), exts,
	)
	return handshakeRecord(hsClientHello, body)
}

// serverHello answers as TLS 1.2 (no supported_versions), choosing
// ECDHE_RSA_AES_128_GCM_SHA256 and the ALPN name given: in TLS 1.2 the choice
// is in clear.
func serverHello(alpn string) []byte {
	exts := extension(extALPN, alpnList([]string{alpn}))
	body := cat(
		[]byte{3, 3}, random(0x55),
		[]byte{0},
		[]byte{0xc0, 0x2f},
		[]byte{0},
		u16(len(exts)), exts,
	)
	return handshakeRecord(hsServerHello, body)
}

// alertHandshakeFailure is a fatal handshake_failure alert (RFC 8446 6).
var alertHandshakeFailure = []byte{recordAlert, 3, 3, 0, 2, 2, 40}
