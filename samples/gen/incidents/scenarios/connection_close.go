package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"time"
)

var ccRequests = flag.Int("cc-requests", 20, "connection-close: sequential GETs")

// connectionClose (incident 3): every response carries "Connection: close"
// (set by the handler), so net/http closes the connection after each reply.
// The client is a default keep-alive Transport doing sequential GETs.
func connectionClose() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello %s, this connection will be closed\n", r.RemoteAddr)
	})
	stop := startHTTP(ln, &http.Server{Handler: mux, IdleTimeout: 30 * time.Second})

	tr := newTransport()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	conns := counter{}
	for i := 1; i <= *ccRequests; i++ {
		var local string
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { local = info.Conn.LocalAddr().String() }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			"GET", fmt.Sprintf("%s/item/%d", baseURL(), i), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		n, err := drain(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("request %d body: %w", i, err)
		}
		conns[local]++
		if i == 1 {
			logf("client: %s, Connection: %q, close=%v, %d bytes", resp.Status, resp.Header.Get("Connection"), resp.Close, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	logf("client: %d requests over %d connections", *ccRequests, len(conns))
	tr.CloseIdleConnections()
	// net/http's server half-closes, then waits up to 500 ms
	// (rstAvoidanceDelay) before the full close: let the last one finish.
	time.Sleep(800 * time.Millisecond)
	return stop()
}
