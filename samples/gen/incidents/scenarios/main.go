// Command scenarios reproduces, on loopback and with real Go net/http and net
// clients and servers, the TCP teardown incidents described in
// /work/shared/INCIDENTS.md (and a few clean controls), with the timings
// scaled down from minutes to seconds, so that they can be captured with
// tcpdump (see ../make-incident-samples.sh).
//
// One scenario runs per invocation (-scenario NAME); it starts its own server
// on 127.0.0.1:-port, runs its clients against it, waits for both sides to
// finish, and exits. Scenarios:
//
//	client-timeout    incident 1: http.Client{Timeout: 1s} vs a handler that sleeps 3 s
//	http2-storm       incident 2: burst of >250 concurrent requests over TLS/h2, new TLS connections
//	connection-close  incident 3: handler sets "Connection: close"; 20 sequential GETs
//	unread-body       incident 4: 64 KiB body, client closes it without reading
//	accept-backlog    incident 5: LimitListener(2) held by keep-alive clients; probes wait in the backlog
//	keepalive-reuse   control: 20 requests over 1-2 reused keep-alive connections, clean close
//	probes            control: connect + close (FIN) and connect + SO_LINGER 0 close (RST) to an idle server
//	refused           control: connect to a port nobody listens on (SYN, RST/ACK)
//
// Standard library only (Go 1.19). The program exits by itself; a watchdog
// kills it after -timeout. Every client loop is bounded in count.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	scenario = flag.String("scenario", "", "scenario to run (see the package comment)")
	host     = flag.String("host", "127.0.0.1", "loopback address for the server and the clients")
	port     = flag.Int("port", 18500, "server port of the scenario")
	timeout  = flag.Duration("timeout", 40*time.Second, "watchdog: exit with status 2 after this long")
)

func serverAddr() string { return net.JoinHostPort(*host, strconv.Itoa(*port)) }
func baseURL() string    { return "http://" + serverAddr() }

// start is when the program started; logf prints times relative to it.
var start = time.Now()

func logf(format string, args ...interface{}) {
	log.Printf("%6.3fs "+format, append([]interface{}{time.Since(start).Seconds()}, args...)...)
}

// startHTTP serves h on ln in the background and returns a function that
// shuts the server down (waiting up to 5 s for handlers) and reports how
// Serve ended.
func startHTTP(ln net.Listener, srv *http.Server) func() error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// listen opens the scenario's TCP listener on host:port.
func listen() (net.Listener, error) {
	return net.Listen("tcp4", serverAddr())
}

// newTransport returns an http.Transport like http.DefaultTransport but
// without a proxy from the environment and without compression.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        100,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		DisableCompression:  true,
	}
}

// drain reads and discards a response body.
func drain(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) }

// counter counts distinct strings (local addresses of client connections).
type counter map[string]int

func (c counter) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s x%d", k, c[k]))
	}
	return strings.Join(parts, ", ")
}

// errorTally is an io.Writer for an http.Server's ErrorLog: it counts the
// server's error messages by kind (the message with the peer address
// removed) instead of printing each one.
type errorTally struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *errorTally) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	if i := strings.Index(msg, " from "); i >= 0 {
		if j := strings.Index(msg[i+6:], ": "); j >= 0 {
			msg = msg[:i] + msg[i+6+j:]
		}
	}
	t.mu.Lock()
	if t.n == nil {
		t.n = map[string]int{}
	}
	t.n[msg]++
	t.mu.Unlock()
	return len(p), nil
}

func (t *errorTally) report(who string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.n))
	for k := range t.n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		logf("%s: error log: %d x %q", who, t.n[k], k)
	}
}

func main() {
	log.SetFlags(0)
	flag.Parse()
	log.SetPrefix("scenarios[" + *scenario + "]: ")
	time.AfterFunc(*timeout, func() {
		fmt.Fprintf(os.Stderr, "scenarios: watchdog: %s still running after %v, giving up\n", *scenario, *timeout)
		os.Exit(2)
	})
	runs := map[string]func() error{
		"client-timeout":   clientTimeout,
		"http2-storm":      http2Storm,
		"connection-close": connectionClose,
		"unread-body":      unreadBody,
		"accept-backlog":   acceptBacklog,
		"keepalive-reuse":  keepaliveReuse,
		"probes":           probes,
		"refused":          refused,
	}
	run, ok := runs[*scenario]
	if !ok {
		log.Fatalf("unknown -scenario %q", *scenario)
	}
	if err := run(); err != nil {
		log.Printf("FAILED: %v", err)
		os.Exit(1)
	}
	logf("done")
}
