package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"time"
)

var (
	ctRequests = flag.Int("ct-requests", 4, "client-timeout: sequential requests to /slow (each times out)")
	ctAborts   = flag.Int("ct-aborts", 2, "client-timeout: then sequential requests to /slow-abort (each times out)")
	ctTimeout  = flag.Duration("ct-client-timeout", time.Second, "client-timeout: http.Client.Timeout")
	ctHandler  = flag.Duration("ct-handler", 3*time.Second, "client-timeout: how long the handler is blocked")
)

// clientTimeout (incident 1): the handler is blocked for -ct-handler (it
// ignores the request context, like business logic stuck on a lock or a slow
// backend), then writes its response. The client's Timeout fires first; the
// Transport closes the connection (client FIN), and the client retries on a
// new connection, which times out again.
//
// The /slow handler writes its late response when it is unblocked. The
// /slow-abort handler, once unblocked, sees that the request context is done
// and aborts with http.ErrAbortHandler, so net/http closes the connection
// without writing anything: a plain late server FIN.
func clientTimeout() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	var handlers sync.WaitGroup
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		logf("server: %s %s from %s: handler blocked for %v", r.Method, r.URL.Path, r.RemoteAddr, *ctHandler)
		time.Sleep(*ctHandler) // blocked; does not look at r.Context()
		body := fmt.Sprintf("late response for %s (request context: %v)\n", r.RemoteAddr, r.Context().Err())
		w.Header().Set("Content-Type", "text/plain")
		_, err := io.WriteString(w, body)
		logf("server: handler for %s returns, write err=%v", r.RemoteAddr, err)
	})
	mux.HandleFunc("/slow-abort", func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		logf("server: %s %s from %s: handler blocked for %v", r.Method, r.URL.Path, r.RemoteAddr, *ctHandler)
		time.Sleep(*ctHandler)
		if err := r.Context().Err(); err != nil {
			logf("server: handler for %s: request context %v, aborting without a response", r.RemoteAddr, err)
			panic(http.ErrAbortHandler)
		}
		_, _ = io.WriteString(w, "in time\n")
	})
	stop := startHTTP(ln, &http.Server{Handler: mux, IdleTimeout: 30 * time.Second})

	client := &http.Client{Transport: newTransport(), Timeout: *ctTimeout}
	timeouts := 0
	for i := 1; i <= *ctRequests+*ctAborts; i++ {
		path := "/slow"
		if i > *ctRequests {
			path = "/slow-abort"
		}
		var local string
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
			local = fmt.Sprintf("%s reused=%v", info.Conn.LocalAddr(), info.Reused)
		}}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			"GET", fmt.Sprintf("%s%s?try=%d", baseURL(), path, i), nil)
		if err != nil {
			return err
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return fmt.Errorf("request %d: expected a timeout, got %s", i, resp.Status)
		}
		logf("client: try %d on %s: %v after %v", i, local, err, time.Since(t0).Round(time.Millisecond))
		timeouts++
	}
	// Let every blocked handler return and write its late response, so the
	// capture shows how each connection really ends.
	time.Sleep(100 * time.Millisecond)
	handlers.Wait()
	time.Sleep(500 * time.Millisecond)
	logf("client: %d/%d requests timed out", timeouts, *ctRequests+*ctAborts)
	return stop()
}
