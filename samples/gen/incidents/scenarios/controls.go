package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync"
	"syscall"
	"time"
)

var (
	kaRequests  = flag.Int("ka-requests", 20, "keepalive-reuse: requests")
	prFIN       = flag.Int("probes-fin", 5, "probes: connect + close (FIN)")
	prRST       = flag.Int("probes-rst", 3, "probes: connect + SO_LINGER 0 close (RST)")
	refusedDial = flag.Int("refused-dials", 3, "refused: connection attempts")
)

// keepaliveReuse (control): 10 sequential requests over one keep-alive
// connection, then 5 pairs of concurrent requests (which makes the Transport
// open a second connection), then the client closes its idle connections.
func keepaliveReuse() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		fmt.Fprintf(w, "ok %s\n", r.URL.Path)
	})
	stop := startHTTP(ln, &http.Server{Handler: mux, IdleTimeout: 30 * time.Second})
	tr := newTransport()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	conns := counter{}
	var mu sync.Mutex
	get := func(i int) error {
		var local string
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { local = info.Conn.LocalAddr().String() }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			"GET", fmt.Sprintf("%s/item/%d", baseURL(), i), nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = drain(resp.Body)
		resp.Body.Close()
		mu.Lock()
		conns[local]++
		mu.Unlock()
		return err
	}
	half := *kaRequests / 2
	for i := 1; i <= half; i++ {
		if err := get(i); err != nil {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := half + 1; i <= *kaRequests; i += 2 {
		var wg sync.WaitGroup
		errc := make(chan error, 2)
		for j := i; j < i+2 && j <= *kaRequests; j++ {
			wg.Add(1)
			go func(j int) { defer wg.Done(); errc <- get(j) }(j)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				return err
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	logf("client: %d requests over %d connections (%s)", *kaRequests, len(conns), conns)
	time.Sleep(200 * time.Millisecond)
	tr.CloseIdleConnections() // the client closes first
	time.Sleep(300 * time.Millisecond)
	return stop()
}

// probes (control): health-check style connections to an idle net/http
// server that accepts them: connect and close right away (FIN), and connect
// and close with SO_LINGER 0 (RST). No payload either way.
func probes() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	stop := startHTTP(ln, &http.Server{Handler: http.NotFoundHandler(), IdleTimeout: 30 * time.Second})
	for i := 1; i <= *prFIN+*prRST; i++ {
		c, err := net.DialTimeout("tcp4", serverAddr(), 2*time.Second)
		if err != nil {
			return err
		}
		if i > *prFIN {
			if err := c.(*net.TCPConn).SetLinger(0); err != nil {
				return err
			}
		}
		time.Sleep(20 * time.Millisecond)
		if err := c.Close(); err != nil {
			return err
		}
		time.Sleep(150 * time.Millisecond)
	}
	logf("client: %d probes closed with FIN, %d with RST (SO_LINGER 0)", *prFIN, *prRST)
	time.Sleep(200 * time.Millisecond)
	return stop()
}

// refused (control): nothing listens on the port.
func refused() error {
	for i := 1; i <= *refusedDial; i++ {
		c, err := net.DialTimeout("tcp4", serverAddr(), 2*time.Second)
		if err == nil {
			c.Close()
			return fmt.Errorf("something is listening on %s", serverAddr())
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("expected ECONNREFUSED, got %v", err)
		}
		logf("client: %v", err)
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}
