// Command ferretdb runs FerretDB v1 (SQLite backend) as the local MongoDB-protocol database.
//
// A plain `go install` of FerretDB's own command panics without its generated version file,
// so the project builds this wrapper around the embeddable package instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data", "directory holding the SQLite databases")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatal(err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// FerretDB itself listens on a private loopback port; clients talk to the serialising proxy (see serial_proxy.go).
	internal, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	internalAddr := internal.Addr().String()
	internal.Close()

	public, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: internalAddr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
		Logger:    logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	proxy := &serialProxy{backend: internalAddr, logger: logger}
	go func() {
		if err := proxy.serve(public); err != nil && ctx.Err() == nil {
			log.Fatal(err)
		}
	}()
	go func() {
		<-ctx.Done()
		public.Close()
	}()

	logger.Info("FerretDB listening", "addr", *listen, "data", *dataDir)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
