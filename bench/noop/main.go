// Command noop is a model server that does no work: it answers every POST
// to /score with {"score": 0.5} after reading the body, so that a replay
// against it measures the client side alone. It speaks replaygate's generic
// json protocol with batch 1 and answers GET requests (readiness probes)
// with 200. -dump FILE keeps the first request body, so that another load
// generator can send the very same request.
//
//	go run ./bench/noop -addr 127.0.0.1:9000
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
)

var answer = []byte(`{"score": 0.5}`)

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on (host:port; port 0 picks a free one)")
	procs := flag.Int("procs", 0, "GOMAXPROCS of the server (0 = leave as is)")
	dump := flag.String("dump", "", "write the first POST body to this file (to replay it with another load generator)")
	flag.Parse()
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("noop: listen on %s: %v", *addr, err)
	}
	// The chosen address on stdout lets a script use port 0.
	fmt.Fprintln(os.Stdout, ln.Addr().String())
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if *dump != "" {
				once.Do(func() {
					body, _ := io.ReadAll(r.Body)
					if err := os.WriteFile(*dump, body, 0o644); err != nil {
						log.Printf("noop: %v", err)
					}
				})
			}
			io.Copy(io.Discard, r.Body)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	log.Fatal(http.Serve(ln, h))
}
