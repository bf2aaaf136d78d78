package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	h2Burst   = flag.Int("h2-burst", 320, "http2-storm: concurrent requests in the burst (the server allows 250 streams per connection)")
	h2Timeout = flag.Duration("h2-client-timeout", time.Second, "http2-storm: http.Client.Timeout")
	h2Handler = flag.Duration("h2-handler", 300*time.Millisecond, "http2-storm: handler latency")
	h2HSCost  = flag.Duration("h2-handshake-cost", 30*time.Millisecond, "http2-storm: simulated server CPU time per TLS handshake (one CPU shared by all handshakes in progress)")
)

// selfSigned makes an ECDSA P-256 certificate for 127.0.0.1 / localhost.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"teardown samples"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// http2Storm (incident 2): a net/http TLS server (HTTP/2 by ALPN, the
// stdlib's bundled h2 server, which allows 250 concurrent streams per
// connection) and a client Transport with ForceAttemptHTTP2 (the "upgrade"
// mode of the write-up: h2 connections are made by the HTTP/1 dialer and
// handed over through TLSNextProto). One warm-up request makes the first h2
// connection; then -h2-burst concurrent requests are sent. The first 250 fit
// on that connection; every request that does not fit makes the HTTP/1 dialer
// open a new TLS connection of its own, all at once: the storm.
//
// Loopback ECDSA handshakes take about a millisecond, so the server's CPU
// starvation of the write-up (every new handshake taking about 1 s) is
// simulated: a GetConfigForClient hook, which runs after the ClientHello has
// been read and before the ServerHello is sent, charges each handshake
// -h2-handshake-cost of a single simulated CPU shared equally by all the
// handshakes in progress (processor sharing). With ~70 handshakes at once,
// each takes ~70 x 30 ms = ~2 s, longer than the client's 1 s Timeout: the
// client gives up and closes the connection in the middle of the handshake,
// and the server's ServerHello, when it finally comes, finds the client's
// socket gone.
func http2Storm() error {
	cert, err := selfSigned()
	if err != nil {
		return err
	}
	var inProgress, handshakes int32
	tlsCfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			atomic.AddInt32(&inProgress, 1)
			defer atomic.AddInt32(&inProgress, -1)
			const tick = 5 * time.Millisecond
			for left := *h2HSCost; left > 0; {
				time.Sleep(tick)
				left -= tick / time.Duration(atomic.LoadInt32(&inProgress))
			}
			atomic.AddInt32(&handshakes, 1)
			return nil, nil
		},
	}
	mux := http.NewServeMux()
	var served int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(*h2Handler):
		case <-r.Context().Done():
			return
		}
		atomic.AddInt32(&served, 1)
		fmt.Fprintf(w, "%s %s\n", r.Proto, r.URL.Path)
	})
	ln, err := listen()
	if err != nil {
		return err
	}
	tally := &errorTally{}
	serverLog := log.New(tally, "", 0)
	srv := &http.Server{Handler: mux, TLSConfig: tlsCfg, IdleTimeout: 30 * time.Second, ErrorLog: serverLog}
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.ServeTLS(ln, "", "") }()

	tr := newTransport()
	tr.ForceAttemptHTTP2 = true
	tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	tr.MaxIdleConnsPerHost = 20
	client := &http.Client{Transport: tr, Timeout: *h2Timeout}

	// Warm-up: one request makes the first h2 connection (and the client
	// learns SETTINGS_MAX_CONCURRENT_STREAMS = 250).
	resp, err := client.Get(fmt.Sprintf("https://%s/warmup", serverAddr()))
	if err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	_, _ = drain(resp.Body)
	resp.Body.Close()
	logf("client: warm-up %s %s", resp.Proto, resp.Status)
	time.Sleep(200 * time.Millisecond)

	var (
		mu      sync.Mutex
		dials   int
		errs    = map[string]int{}
		ok      int
		latency []time.Duration
	)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < *h2Burst; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			trace := &httptrace.ClientTrace{ConnectStart: func(string, string) {
				mu.Lock()
				dials++
				mu.Unlock()
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
				"GET", fmt.Sprintf("https://%s/item/%d", serverAddr(), i), nil)
			t := time.Now()
			resp, err := client.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				msg := err.Error()
				switch {
				case strings.Contains(msg, "TLS handshake"):
					msg = "timeout during TLS handshake"
				case strings.Contains(msg, "awaiting headers"):
					msg = "Client.Timeout exceeded while awaiting headers"
				}
				errs[msg]++
				return
			}
			_, _ = drain(resp.Body)
			resp.Body.Close()
			ok++
			latency = append(latency, time.Since(t))
		}(i)
	}
	wg.Wait()
	sort.Slice(latency, func(i, j int) bool { return latency[i] < latency[j] })
	logf("client: burst of %d requests in %v: %d ok, %d TCP dials", *h2Burst, time.Since(t0).Round(time.Millisecond), ok, dials)
	if len(latency) > 0 {
		logf("client: ok latency min %v max %v", latency[0].Round(time.Millisecond), latency[len(latency)-1].Round(time.Millisecond))
	}
	for msg, n := range errs {
		logf("client: %d x %s", n, msg)
	}
	// Let the server finish the handshakes still in progress.
	for i := 0; i < 100 && atomic.LoadInt32(&inProgress) > 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	tr.CloseIdleConnections()
	time.Sleep(300 * time.Millisecond)
	logf("server: %d TLS handshakes reached the ServerHello, %d requests served", atomic.LoadInt32(&handshakes), atomic.LoadInt32(&served))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return err
	}
	<-srvDone
	tally.report("server")
	return nil
}
