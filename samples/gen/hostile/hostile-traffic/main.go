// Command hostile-traffic sends hostile HTTP/1.1 requests and TLS
// ClientHellos over real TCP connections on loopback, to a raw TCP server in
// the same process that answers with hostile status lines, headers, bodies
// and ServerHellos, so that tcpdump can capture what an attacker could put
// in front of teardown (see ../make-hostile-samples.sh).
//
// Everything is written over plain net.Dial / net.Listen sockets: Go's
// net/http refuses to send the invalid header bytes these connections carry,
// and crypto/tls refuses server names that are not host names. The kernel
// and the sockets are real; only the bytes are chosen.
//
// The connections run one after another (flow ids follow this order), each
// ending a different way: the client closes first with FIN, with RST, with
// unread data (Linux sends RST), after a read timeout with no answer, or the
// server closes first with FIN or RST. For each connection the server is told
// by the client, through a channel inside the process, what to expect and
// how to answer; the client waits for the server's side to finish before the
// next connection starts.
//
// Standard library only (Go 1.19). A watchdog exits with status 2 after
// -timeout.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var (
	host    = flag.String("host", "127.0.0.1", "loopback address for the servers and the clients")
	port    = flag.Int("port", 18601, "HTTP server port; the TLS server uses port+1")
	wait    = flag.Duration("client-timeout", 800*time.Millisecond, "how long a client waits for an answer before giving up")
	timeout = flag.Duration("timeout", 30*time.Second, "watchdog: exit with status 2 after this long")
)

var start = time.Now()

func logf(format string, args ...interface{}) {
	log.Printf("%6.3fs "+format, append([]interface{}{time.Since(start).Seconds()}, args...)...)
}

// How a side ends its connection.
type ending int

const (
	// Server endings.
	serverAwaitEOF ending = iota // read until the client closes, then close (FIN)
	serverFIN                    // close right after answering (FIN)
	serverRST                    // SO_LINGER 0 and close right after answering (RST)
	// Client endings.
	clientReadEOF     // read the whole answer to EOF (the server closes first), then close (FIN)
	clientReadThenFIN // read the answer (its length is known), then close first (FIN)
	clientReadThenRST // read the answer, then SO_LINGER 0 and close (RST)
	clientEOFThenRST  // read to EOF (the server's FIN), then SO_LINGER 0 and close (RST)
	clientUnread      // let the answer arrive, close without reading it: Linux sends RST (RFC 2525 2.17)
	clientTimeoutFIN  // no answer within -client-timeout: give up and close (FIN)
	clientTimeoutRST  // no answer within -client-timeout: give up with SO_LINGER 0 (RST)
)

// exchange is one connection: what the client sends, what the server
// answers, what the client sends back after reading the answer, and how
// each side ends.
type exchange struct {
	name     string
	tls      bool // to the TLS port
	request  []byte
	answer   []byte // nil: the server never answers
	after    []byte // client bytes after it read the answer (a tunnel)
	server   ending
	client   ending
	serverWG chan error
}

func addr(p int) string { return net.JoinHostPort(*host, strconv.Itoa(p)) }

// serve accepts connections and handles each as the next planned exchange says.
func serve(ln net.Listener, plan <-chan *exchange) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		x := <-plan
		go func() { x.serverWG <- handle(c.(*net.TCPConn), x) }()
	}
}

func handle(c *net.TCPConn, x *exchange) error {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, make([]byte, len(x.request))); err != nil {
		return fmt.Errorf("server: reading the request: %w", err)
	}
	if x.answer != nil {
		if _, err := c.Write(x.answer); err != nil {
			return fmt.Errorf("server: writing the answer: %w", err)
		}
	}
	if len(x.after) > 0 {
		if _, err := io.ReadFull(c, make([]byte, len(x.after))); err != nil {
			return fmt.Errorf("server: reading the tunnel bytes: %w", err)
		}
	}
	switch x.server {
	case serverAwaitEOF:
		// The client's FIN ends the read with EOF, its RST with an error: both are expected.
		_, _ = io.Copy(io.Discard, c)
	case serverFIN:
		// Let the answer reach the client before the FIN (loopback delivers at once).
		time.Sleep(20 * time.Millisecond)
	case serverRST:
		time.Sleep(50 * time.Millisecond)
		if err := c.SetLinger(0); err != nil {
			return err
		}
	}
	return nil
}

// run is the client side of one exchange.
func run(x *exchange) error {
	p := *port
	if x.tls {
		p++
	}
	conn, err := net.DialTimeout("tcp4", addr(p), 2*time.Second)
	if err != nil {
		return err
	}
	c := conn.(*net.TCPConn)
	defer c.Close()
	if _, err := c.Write(x.request); err != nil {
		return fmt.Errorf("client: writing the request: %w", err)
	}
	readAnswer := func() error {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, make([]byte, len(x.answer))); err != nil {
			return fmt.Errorf("client: reading the answer: %w", err)
		}
		if len(x.after) > 0 {
			if _, err := c.Write(x.after); err != nil {
				return fmt.Errorf("client: writing the tunnel bytes: %w", err)
			}
		}
		return nil
	}
	switch x.client {
	case clientReadEOF, clientEOFThenRST:
		if err := readAnswer(); err != nil {
			return err
		}
		rest, err := io.ReadAll(c)
		// A server that resets (SO_LINGER 0) ends the read with ECONNRESET instead of EOF.
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("client: reading to EOF: %w", err)
		}
		if len(rest) != 0 {
			return fmt.Errorf("client: %d bytes after the answer", len(rest))
		}
		if x.client == clientEOFThenRST {
			return c.SetLinger(0)
		}
	case clientReadThenFIN:
		return readAnswer()
	case clientReadThenRST:
		if err := readAnswer(); err != nil {
			return err
		}
		return c.SetLinger(0)
	case clientUnread:
		// The answer is in the receive queue, unread, when the socket closes.
		time.Sleep(100 * time.Millisecond)
	case clientTimeoutFIN, clientTimeoutRST:
		_ = c.SetReadDeadline(time.Now().Add(*wait))
		n, err := c.Read(make([]byte, 1))
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return fmt.Errorf("client: expected a read timeout, got %d bytes, %v", n, err)
		}
		if x.client == clientTimeoutRST {
			return c.SetLinger(0)
		}
	}
	return nil
}

// httpRequest joins a request line and header lines with CRLF, then the empty line and body.
func httpRequest(line string, headers []string, body string) []byte {
	return []byte(line + "\r\n" + strings.Join(append(headers, ""), "\r\n") + "\r\n" + body)
}

func exchanges() []*exchange {
	markupBody := "<!doctype html><html><body>" + script + svg + "<a href=\"" + jsURL + "\">x</a>" +
		imgTag + "<iframe src=\"http://example.invalid/\"></iframe>" + strings.Repeat("<b>unread</b>", 200) + "</body></html>"
	chunk := script + ansiClear + nul + cdataEnd
	return []*exchange{
		{
			// Markup in the request line and headers; the 200 answer (hostile reason
			// phrase, headers and HTML body) is never read: the client's close sends RST.
			name: "markup-unread",
			request: httpRequest(
				"GET /"+script+"?q="+svg+"&u="+jsURL+"&h="+onHover+"&c1=\x85\x9b31m HTTP/1.1",
				[]string{
					"Host: " + svg + ansiClear + ansiTitle + nul,
					"User-Agent: " + script + " " + jsURL,
					"X-Hostile: " + mdLink + " " + mdImage + " " + autolink + " " + imgTag,
				}, ""),
			answer: httpRequest("HTTP/1.1 200 OK "+script+" "+svg,
				[]string{
					"Content-Type: text/html",
					"Content-Length: " + strconv.Itoa(len(markupBody)),
					"X-Reflected: " + script + ansiRed,
				}, markupBody),
			server: serverAwaitEOF,
			client: clientUnread,
		},
		{
			// Markdown in the target and Host; no answer, the client gives up (FIN).
			name: "markdown-timeout",
			request: httpRequest(
				"GET /"+mdLink+" "+mdImage+" "+autolink+" "+imgTag+" "+mdBreakers+" "+c1CSI+" HTTP/1.1",
				[]string{"Host: " + mdLink + " " + mdImage, "Accept: */*"}, ""),
			server: serverAwaitEOF,
			client: clientTimeoutFIN,
		},
		{
			// ANSI escapes, NUL, BEL and XML-forbidden bytes in Host, a custom header
			// and the reason phrase; the server closes first (FIN), the client reads to
			// EOF and resets (RST).
			name: "ansi-server-fin",
			request: httpRequest("GET /ansi HTTP/1.1",
				[]string{
					"Host: " + ansiClear + ansiTitle + ansiRed + "red" + ansiReset + nul + "nul\x07bell" + xmlForbidden,
					"X-Custom: " + ansiTitle + ansiClear,
				}, ""),
			answer: httpRequest("HTTP/1.1 418 "+ansiClear+ansiTitle+ansiRed+"teapot"+nul+ansiReset+xmlForbidden,
				[]string{"Content-Length: 0", "Connection: close"}, ""),
			server: serverFIN,
			client: clientEOFThenRST,
		},
		{
			// A request line with ESC and NUL in the target: not HTTP to a parser that
			// checks; the server answers 400 anyway and resets (RST).
			name: "bad-request-line-server-rst",
			request: httpRequest("GET /"+ansiClear+nul+script+" HTTP/1.1",
				[]string{"Host: " + svg}, ""),
			answer: httpRequest("HTTP/1.1 400 "+ansiTitle+"Bad "+script,
				[]string{"Content-Length: 0", "Connection: close"}, ""),
			server: serverRST,
			client: clientReadEOF,
		},
		{
			// Bytes that are not UTF-8 and a bidi override in the target and Host; no
			// answer, the client gives up with RST.
			name: "invalid-utf8-timeout-rst",
			request: httpRequest("GET /"+notUTF8+cesu+overlong+bidi+".txt"+c1CSI+" HTTP/1.1",
				[]string{"Host: " + notUTF8 + cesu + bidi}, ""),
			server: serverAwaitEOF,
			client: clientTimeoutRST,
		},
		{
			// A 100 KB request line and a 6 KB Host line, markup at both ends; the
			// answer's status line is 5 KB. Read, then the client closes first (FIN).
			name: "long-lines",
			request: httpRequest("GET "+longTarget+" HTTP/1.1",
				[]string{
					"Host: " + strings.Repeat("h", 6000) + script,
					"User-Agent: " + strings.Repeat("\t", 100) + svg,
				}, ""),
			answer: httpRequest("HTTP/1.1 200 "+strings.Repeat("R", 5000)+script,
				[]string{"Content-Length: 5"}, "hello"),
			server: serverAwaitEOF,
			client: clientReadThenFIN,
		},
		{
			// Zeek's header marker, tabs, bare CR, VT, FF, backslashes,
			// a folded header and the end of a CDATA section; a chunked answer whose
			// reason phrase has them too.
			name: "tabs-cr-cdata",
			request: httpRequest("GET /"+cdataEnd+"<![CDATA["+script+"]]>\\x09\\ HTTP/1.1",
				[]string{
					"Host: " + zeekSep + "\ttab\tcr\rcr\x0bvt\x0cff\\",
					"X-Fold: a",
					"\tb " + script,
					"X-Bare-CR: a\rInjected: " + svg,
				}, ""),
			answer: httpRequest("HTTP/1.1 200 tab\there\rcr "+cdataEnd+" "+zeekSep+" \\",
				[]string{"Transfer-Encoding: chunked"},
				fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(chunk), chunk)),
			server: serverAwaitEOF,
			client: clientReadThenFIN,
		},
		{
			// A 101 to a hostile Upgrade, then hostile bytes through the tunnel both ways.
			name: "upgrade-tunnel",
			request: httpRequest("GET /chat HTTP/1.1",
				[]string{"Host: " + jsURL, "Upgrade: " + script, "Connection: Upgrade"}, ""),
			answer: append(httpRequest("HTTP/1.1 101 "+svg,
				[]string{"Upgrade: " + jsURL + ansiClear + nul, "Connection: Upgrade"}, ""),
				[]byte(ansiClear+script+nul+notUTF8)...),
			after:  []byte(ansiTitle + svg + nul),
			server: serverFIN,
			client: clientReadEOF,
		},
		{
			// Three pipelined requests (GET, HEAD, POST with a body) answered in order,
			// the last answer with Connection: close; the server closes first.
			name: "pipelined",
			request: append(append(
				httpRequest("GET /1"+script+" HTTP/1.1", []string{"Host: a" + ansiRed}, ""),
				httpRequest("HEAD /2"+svg+" HTTP/1.1", []string{"Host: b" + nul}, "")...),
				httpRequest("POST /3"+jsURL+" HTTP/1.1",
					[]string{"Host: c" + bidi, "Content-Length: " + strconv.Itoa(len(script))}, script)...),
			answer: append(append(
				httpRequest("HTTP/1.1 200 "+script, []string{"Content-Length: 2"}, "ok"),
				httpRequest("HTTP/1.1 204 "+svg, nil, "")...),
				httpRequest("HTTP/1.1 500 "+ansiClear+jsURL,
					[]string{"Content-Length: " + strconv.Itoa(len(chunk)), "Connection: close"}, chunk)...),
			server: serverFIN,
			client: clientReadEOF,
		},
		{
			// A ClientHello with markup, ESC and NUL in the SNI and hostile ALPN names,
			// answered by a fatal alert and FIN.
			name: "tls-alert",
			tls:  true,
			request: clientHello(script+ansiClear+nul+svg,
				[]string{jsURL, svg, ansiTitle, notUTF8 + bidi, "h2"}),
			answer: alertHandshakeFailure,
			server: serverFIN,
			client: clientReadEOF,
		},
		{
			// Markdown and a bidi override in the SNI; no answer, the client gives up (FIN).
			name:    "tls-timeout",
			tls:     true,
			request: clientHello(mdLink+mdImage+bidi+c1CSI, []string{mdImage}),
			server:  serverAwaitEOF,
			client:  clientTimeoutFIN,
		},
		{
			// XML and TSV breakers in the SNI; the ServerHello (TLS 1.2) chooses a hostile
			// ALPN name, and the client resets before finishing the handshake.
			name:    "tls-serverhello-rst",
			tls:     true,
			request: clientHello(cdataEnd+zeekSep+xmlForbidden+onHover, []string{"http/1.1", script + ansiRed}),
			answer:  serverHello(script + ansiRed),
			server:  serverAwaitEOF,
			client:  clientReadThenRST,
		},
	}
}

func main() {
	flag.Parse()
	log.SetFlags(0)
	go func() {
		time.Sleep(*timeout)
		logf("watchdog: still running after %s", *timeout)
		os.Exit(2)
	}()
	httpPlan := make(chan *exchange, 1)
	tlsPlan := make(chan *exchange, 1)
	for i, plan := range []chan *exchange{httpPlan, tlsPlan} {
		ln, err := net.Listen("tcp4", addr(*port+i))
		if err != nil {
			log.Fatal(err)
		}
		defer ln.Close()
		go serve(ln, plan)
	}
	failed := 0
	for i, x := range exchanges() {
		x.serverWG = make(chan error, 1)
		if x.tls {
			tlsPlan <- x
		} else {
			httpPlan <- x
		}
		cerr := run(x)
		serr := <-x.serverWG
		logf("%2d %-28s request %6d bytes, answer %5d bytes; client: %v; server: %v",
			i+1, x.name, len(x.request), len(x.answer), cerr, serr)
		if cerr != nil || serr != nil {
			failed++
		}
		// Keep connections apart in time, so that each one's packets are easy to read.
		time.Sleep(50 * time.Millisecond)
	}
	if failed > 0 {
		logf("%d exchanges failed", failed)
		os.Exit(1)
	}
}
