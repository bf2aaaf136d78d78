// Command traffic makes a small, fixed mix of real TCP traffic on loopback so
// that it can be captured with tcpdump (see ../make-reader-samples.sh).
//
// Everything runs in one process: each scenario starts its own server, runs a
// client against it, and waits for both sides to finish before the next one
// starts, so the scenarios appear one after another in a capture. Ports used
// (with the default -port 18080):
//
//	base+0  HTTP/1.1 keep-alive: 3 GETs on one connection, then the client closes
//	base+1  client sends, reads the reply, closes first; server closes after EOF
//	base+2  server replies and closes first; client closes after EOF
//	base+3  client aborts with SO_LINGER=0 + Close (RST)
//	base+4  nothing listens: the SYN is refused with RST/ACK
//	base+5  IPv6 (::1) small exchange, client closes first
//	base+6  bulk: server sends -bulk bytes and closes; client reads to EOF
//
// Standard library only (Go 1.19). The program exits by itself; a watchdog
// kills it after -timeout.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"syscall"
	"time"
)

var (
	basePort = flag.Int("port", 18080, "base port; scenarios use port..port+6")
	host4    = flag.String("host4", "127.0.0.1", "IPv4 loopback address")
	host6    = flag.String("host6", "::1", "IPv6 loopback address (empty to skip the IPv6 scenario)")
	bulkSize = flag.Int("bulk", 200*1024, "bytes sent in the bulk scenario")
	gap      = flag.Duration("gap", 50*time.Millisecond, "pause between scenarios")
	timeout  = flag.Duration("timeout", 20*time.Second, "watchdog: exit with status 2 after this long")
	only     = flag.String("only", "", "run only the named scenario (http, client-close, server-close, rst, refused, ipv6, bulk)")
)

const ioDeadline = 5 * time.Second

func addr(host string, off int) string {
	return net.JoinHostPort(host, strconv.Itoa(*basePort+off))
}

// serveOne listens on address, accepts exactly one connection, runs handle on
// it in the background, and returns a channel closed when handle has returned.
func serveOne(network, address string, handle func(net.Conn) error) (<-chan error, error) {
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() {
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		ln.Close() // no more connections; the listening socket goes away now
		_ = c.SetDeadline(time.Now().Add(ioDeadline))
		done <- handle(c)
	}()
	return done, nil
}

func dial(network, address string) (*net.TCPConn, error) {
	c, err := net.DialTimeout(network, address, ioDeadline)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(ioDeadline))
	return c.(*net.TCPConn), nil
}

// scenarioHTTP: net/http server and client, three requests over one
// keep-alive connection, then the client closes its idle connection.
func scenarioHTTP() error {
	ln, err := net.Listen("tcp4", addr(*host4, 0))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body := fmt.Sprintf("hello from teardown sample server, path %s\n", r.URL.Path)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = io.WriteString(w, body)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: ioDeadline, IdleTimeout: 10 * time.Second}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Serve(ln) }()

	tr := &http.Transport{
		DisableCompression:  true,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     10 * time.Second,
	}
	client := &http.Client{Transport: tr, Timeout: ioDeadline}
	var conns []string
	for i := 1; i <= 3; i++ {
		var local string
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			local = info.Conn.LocalAddr().String()
			reused = info.Reused
		}}
		url := fmt.Sprintf("http://%s/req/%d", addr(*host4, 0), i)
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", "teardown-samples/1")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		log.Printf("http: GET /req/%d -> %s, %d bytes, conn %s reused=%v", i, resp.Status, len(body), local, reused)
		conns = append(conns, local)
	}
	if conns[0] != conns[1] || conns[1] != conns[2] {
		return fmt.Errorf("http: expected one keep-alive connection, got %v", conns)
	}
	// The client closes first: its idle keep-alive connection is closed now.
	tr.CloseIdleConnections()
	time.Sleep(*gap)
	ctx, cancel := context.WithTimeout(context.Background(), ioDeadline)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return err
	}
	if err := <-srvDone; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// scenarioClientClose: the client closes first.
func scenarioClientClose() error {
	done, err := serveOne("tcp4", addr(*host4, 1), func(c net.Conn) error {
		defer c.Close()
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c, "PONG %s", line); err != nil {
			return err
		}
		// Wait for the client's FIN, then close our side.
		rest, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if len(rest) != 0 {
			return fmt.Errorf("client-close: unexpected %d bytes", len(rest))
		}
		return nil
	})
	if err != nil {
		return err
	}
	c, err := dial("tcp4", addr(*host4, 1))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, "PING client-close\n"); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	log.Printf("client-close: got %q from %s, client closes first", reply, c.LocalAddr())
	if err := c.Close(); err != nil {
		return err
	}
	return <-done
}

// scenarioServerClose: the server replies and closes first.
func scenarioServerClose() error {
	done, err := serveOne("tcp4", addr(*host4, 2), func(c net.Conn) error {
		defer c.Close()
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c, "PONG %sserver closing now\n", line)
		return err
	})
	if err != nil {
		return err
	}
	c, err := dial("tcp4", addr(*host4, 2))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, "PING server-close\n"); err != nil {
		return err
	}
	reply, err := io.ReadAll(c) // until the server's FIN
	if err != nil {
		return err
	}
	log.Printf("server-close: got %q from %s, server closed first", reply, c.LocalAddr())
	if err := c.Close(); err != nil {
		return err
	}
	return <-done
}

// scenarioRST: the client aborts the connection (SO_LINGER 0, then Close),
// which makes the kernel send RST instead of FIN.
func scenarioRST() error {
	done, err := serveOne("tcp4", addr(*host4, 3), func(c net.Conn) error {
		defer c.Close()
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c, "OK %s", line); err != nil {
			return err
		}
		_, err = io.ReadAll(r)
		if errors.Is(err, syscall.ECONNRESET) {
			log.Printf("rst: server saw %v", err)
			return nil
		}
		return fmt.Errorf("rst: server expected connection reset, got %v", err)
	})
	if err != nil {
		return err
	}
	c, err := dial("tcp4", addr(*host4, 3))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, "abort soon\n"); err != nil {
		return err
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		return err
	}
	if err := c.SetLinger(0); err != nil {
		return err
	}
	log.Printf("rst: client %s closes with SO_LINGER=0", c.LocalAddr())
	if err := c.Close(); err != nil {
		return err
	}
	return <-done
}

// scenarioRefused: connect to a port nobody listens on.
func scenarioRefused() error {
	c, err := net.DialTimeout("tcp4", addr(*host4, 4), ioDeadline)
	if err == nil {
		c.Close()
		return fmt.Errorf("refused: something is listening on %s", addr(*host4, 4))
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("refused: expected ECONNREFUSED, got %v", err)
	}
	log.Printf("refused: %v", err)
	return nil
}

// scenarioIPv6: a small exchange over ::1, the client closes first.
func scenarioIPv6() error {
	if *host6 == "" {
		log.Printf("ipv6: skipped")
		return nil
	}
	done, err := serveOne("tcp6", addr(*host6, 5), func(c net.Conn) error {
		defer c.Close()
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c, "hello over IPv6, you said: %s", line); err != nil {
			return err
		}
		_, err = io.ReadAll(r)
		return err
	})
	if err != nil {
		return err
	}
	c, err := dial("tcp6", addr(*host6, 5))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, "hi from ::1\n"); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	log.Printf("ipv6: got %q from %s", reply, c.LocalAddr())
	if err := c.Close(); err != nil {
		return err
	}
	return <-done
}

// bulkPattern fills b with 16-byte lines "%015x\n" of the byte offset in the
// stream, so any segment's payload says where in the stream it belongs.
func bulkPattern(n int) []byte {
	b := make([]byte, 0, n+16)
	for off := 0; len(b) < n; off += 16 {
		b = append(b, fmt.Sprintf("%015x\n", off)...)
	}
	return b[:n]
}

// scenarioBulk: the server sends -bulk bytes in one Write and closes; the
// client reads to EOF, checks the bytes, and closes.
func scenarioBulk() error {
	want := bulkPattern(*bulkSize)
	done, err := serveOne("tcp4", addr(*host4, 6), func(c net.Conn) error {
		defer c.Close()
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil {
			return err
		}
		_, err := c.Write(want)
		return err
	})
	if err != nil {
		return err
	}
	c, err := dial("tcp4", addr(*host4, 6))
	if err != nil {
		return err
	}
	if _, err := io.WriteString(c, "SEND bulk\n"); err != nil {
		return err
	}
	got, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	if string(got) != string(want) {
		return fmt.Errorf("bulk: got %d bytes, want %d (or content differs)", len(got), len(want))
	}
	log.Printf("bulk: received %d bytes on %s", len(got), c.LocalAddr())
	if err := c.Close(); err != nil {
		return err
	}
	return <-done
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("traffic: ")
	flag.Parse()
	time.AfterFunc(*timeout, func() {
		fmt.Fprintf(os.Stderr, "traffic: watchdog: still running after %v, giving up\n", *timeout)
		os.Exit(2)
	})

	scenarios := []struct {
		name string
		run  func() error
	}{
		{"http", scenarioHTTP},
		{"client-close", scenarioClientClose},
		{"server-close", scenarioServerClose},
		{"rst", scenarioRST},
		{"refused", scenarioRefused},
		{"ipv6", scenarioIPv6},
		{"bulk", scenarioBulk},
	}
	failed := false
	ran := 0
	for _, s := range scenarios {
		if *only != "" && *only != s.name {
			continue
		}
		ran++
		if err := s.run(); err != nil {
			failed = true
			log.Printf("%s: FAILED: %v", s.name, err)
		}
		time.Sleep(*gap)
	}
	if ran == 0 {
		log.Fatalf("no scenario named %q", *only)
	}
	if failed {
		os.Exit(1)
	}
}
