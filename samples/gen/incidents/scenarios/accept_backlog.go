package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

var (
	abLimit    = flag.Int("ab-limit", 2, "accept-backlog: connections the server handles at a time")
	abHold     = flag.Duration("ab-hold", 6*time.Second, "accept-backlog: how long the keep-alive clients hold the slots")
	abProbes   = flag.Int("ab-probes", 4, "accept-backlog: health-check probes (connect, wait, close)")
	abProbeGap = flag.Duration("ab-probe-wait", 500*time.Millisecond, "accept-backlog: how long a probe stays connected")
	abCurls    = flag.Int("ab-curls", 2, "accept-backlog: HTTP clients with a 1 s timeout that also end up in the backlog")
	abLateWait = flag.Duration("ab-late-probe-wait", 3500*time.Millisecond, "accept-backlog: one more probe, connected at 1.5 s, stays this long (0: none)")
)

// limitListener accepts at most n connections at a time: Accept blocks until
// a connection accepted earlier has been closed (like
// golang.org/x/net/netutil.LimitListener, which is not in the stdlib).
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	logf("server: accepted %s", c.RemoteAddr())
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		logf("server: closed %s", c.RemoteAddr())
		c.release()
	})
	return err
}

// acceptBacklog (incident 5): the server handles -ab-limit connections at a
// time; two keep-alive clients hold both slots for -ab-hold. Meanwhile probes
// connect (the kernel completes the handshake and queues the connection in
// the listen backlog), stay -ab-probe-wait, and close (FIN). A couple of HTTP
// clients with a 1 s timeout also end up in the backlog: request sent, no
// answer, timeout, FIN. When the keep-alive clients leave, the server accepts
// the queued connections one after another, finds them closed (or reads the
// stale request and answers it) and closes them: a late server FIN (or late
// response), long after the client's FIN. With tcp_fin_timeout lowered (the
// script sets 2 s in a private network namespace), the client's FIN_WAIT2 is
// gone by then and the late segments are answered with RST.
//
// For contrast, one more probe connects at 1.5 s and closes only at ~5 s:
// its FIN_WAIT2 (2 s) still exists when the server's late FIN comes at ~6 s,
// so that FIN is answered by a plain ACK (the client goes to TIME_WAIT).
func acceptBacklog() error {
	inner, err := listen()
	if err != nil {
		return err
	}
	ln := &limitListener{Listener: inner, sem: make(chan struct{}, *abLimit)}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %s\n", r.URL.Path)
	})
	stop := startHTTP(ln, &http.Server{Handler: mux, IdleTimeout: 60 * time.Second})

	var wg sync.WaitGroup
	// The keep-alive clients: one connection each, a request every 500 ms.
	holdEnd := time.Now().Add(*abHold)
	for k := 1; k <= *abLimit; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			tr := newTransport()
			tr.MaxConnsPerHost = 1
			client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			n := 0
			for i := 0; i < 100 && time.Now().Before(holdEnd); i++ {
				resp, err := client.Get(fmt.Sprintf("%s/keepalive/%d/%d", baseURL(), k, i))
				if err != nil {
					logf("keep-alive client %d: %v", k, err)
					return
				}
				_, _ = drain(resp.Body)
				resp.Body.Close()
				n++
				time.Sleep(500 * time.Millisecond)
			}
			tr.CloseIdleConnections()
			logf("keep-alive client %d: %d requests, closed its connection", k, n)
		}(k)
	}
	time.Sleep(300 * time.Millisecond) // both slots are taken now

	// The probes (health checks, like telnet: connect, then close).
	for p := 1; p <= *abProbes; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			time.Sleep(time.Duration(p-1) * 300 * time.Millisecond)
			c, err := net.DialTimeout("tcp4", serverAddr(), 2*time.Second)
			if err != nil {
				logf("probe %d: %v", p, err)
				return
			}
			logf("probe %d: connected from %s (handshake done by the kernel)", p, c.LocalAddr())
			time.Sleep(*abProbeGap)
			c.Close()
			logf("probe %d: closed", p)
		}(p)
	}
	if *abLateWait > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(1200 * time.Millisecond) // 1.5 s after the start
			c, err := net.DialTimeout("tcp4", serverAddr(), 2*time.Second)
			if err != nil {
				logf("late probe: %v", err)
				return
			}
			logf("late probe: connected from %s", c.LocalAddr())
			time.Sleep(*abLateWait)
			c.Close()
			logf("late probe: closed")
		}()
	}
	// The HTTP clients ("curl"): request sent into the backlog, no answer.
	for q := 1; q <= *abCurls; q++ {
		wg.Add(1)
		go func(q int) {
			defer wg.Done()
			time.Sleep(150*time.Millisecond + time.Duration(q-1)*600*time.Millisecond)
			tr := newTransport()
			client := &http.Client{Transport: tr, Timeout: time.Second}
			req, _ := http.NewRequestWithContext(context.Background(), "GET", fmt.Sprintf("%s/real/%d", baseURL(), q), nil)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				logf("http client %d: %v after %v", q, err, time.Since(t0).Round(time.Millisecond))
				return
			}
			resp.Body.Close()
			logf("http client %d: unexpectedly got %s", q, resp.Status)
		}(q)
	}
	wg.Wait()
	// The server now works through the backlog; give it time, then stop.
	time.Sleep(1500 * time.Millisecond)
	return stop()
}
