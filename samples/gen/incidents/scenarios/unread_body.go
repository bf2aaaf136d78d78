package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"time"
)

var (
	ubRequests = flag.Int("ub-requests", 8, "unread-body: sequential requests")
	ubBody     = flag.Int("ub-body", 16*1024, "unread-body: response body size in bytes")
	ubWork     = flag.Duration("ub-work", 20*time.Millisecond, "unread-body: client work between reading the status and closing the body")
)

// unreadBody (incident 4): the server answers with a -ub-body byte body; the
// client checks StatusCode and calls resp.Body.Close() without reading the
// body. Go's Transport cannot reuse a connection whose body was not read to
// EOF, so it closes it with the unread bytes still in the socket's receive
// queue, and the kernel sends RST instead of FIN.
//
// The client does -ub-work of other work between the status check and the
// Close (as with a deferred Close): by then the whole body has arrived and
// been ACKed by the client's kernel. With an immediate Close, net/http has
// read only its first 4 KiB buffer; if the rest of the body has not arrived
// yet, the kernel sends FIN, and the rest of the body, arriving just after,
// is answered by RST (a race; the first trial runs of this scenario showed
// both endings, see samples/incidents/README.md).
func unreadBody() error {
	ln, err := listen()
	if err != nil {
		return err
	}
	body := make([]byte, *ubBody)
	for i := range body {
		body[i] = "0123456789abcdef"[i%16]
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, err := w.Write(body)
		if err != nil {
			logf("server: write to %s: %v", r.RemoteAddr, err)
		}
	})
	stop := startHTTP(ln, &http.Server{Handler: mux, IdleTimeout: 30 * time.Second})

	client := &http.Client{Transport: newTransport(), Timeout: 5 * time.Second}
	conns := counter{}
	for i := 1; i <= *ubRequests; i++ {
		var local string
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { local = info.Conn.LocalAddr().String() }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			"GET", fmt.Sprintf("%s/blob/%d", baseURL(), i), nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return fmt.Errorf("request %d: %s", i, resp.Status)
		}
		time.Sleep(*ubWork) // other work, e.g. logging the status
		resp.Body.Close()   // the bug: body not read to EOF
		conns[local]++
		time.Sleep(100 * time.Millisecond)
	}
	logf("client: %d requests over %d connections (%s)", *ubRequests, len(conns), conns)
	time.Sleep(300 * time.Millisecond)
	return stop()
}
