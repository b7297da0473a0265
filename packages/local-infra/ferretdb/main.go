// Command ferretdb runs FerretDB v1 as the local MongoDB-protocol database, on PostgreSQL (the default the
// project starts) or on SQLite (kept for the benchmark in ../bench).
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
	handler := flag.String("handler", "postgresql", "FerretDB backend: postgresql or sqlite")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL connection string (handler postgresql)")
	dataDir := flag.String("data", "data", "directory holding the SQLite databases (handler sqlite)")
	serialise := flag.String("serialise", "writes", "which requests the proxy serialises: writes (per collection), all, none")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	mode, err := parseSerialiseMode(*serialise)
	if err != nil {
		log.Fatal(err)
	}

	config := &ferretdb.Config{Handler: *handler, Logger: logger}
	switch *handler {
	case "postgresql":
		if *postgresURL == "" {
			log.Fatal("-postgresql-url is required with -handler postgresql")
		}
		config.PostgreSQLURL = *postgresURL
	case "sqlite":
		if err := os.MkdirAll(*dataDir, 0o755); err != nil {
			log.Fatal(err)
		}
		config.SQLiteURL = "file:" + *dataDir + "/"
	default:
		log.Fatalf("unknown -handler %q", *handler)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if mode == serialiseNone {
		// No proxy: clients talk to FerretDB directly (only for measuring what the proxy costs and prevents).
		config.Listener = ferretdb.ListenerConfig{TCP: *listen}
	} else {
		public, err := net.Listen("tcp", *listen)
		if err != nil {
			log.Fatal(err)
		}

		// FerretDB listens on a private loopback port; clients talk to the serialising proxy (see serial_proxy.go).
		internal, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		internalAddr := internal.Addr().String()
		internal.Close()
		config.Listener = ferretdb.ListenerConfig{TCP: internalAddr}

		proxy := newSerialProxy(internalAddr, mode, logger)
		go func() {
			if err := proxy.serve(public); err != nil && ctx.Err() == nil {
				log.Fatal(err)
			}
		}()
		go func() {
			<-ctx.Done()
			public.Close()
		}()
	}

	f, err := ferretdb.New(config)
	if err != nil {
		log.Fatal(err)
	}

	logger.Info("FerretDB listening", "addr", *listen, "handler", *handler, "serialise", *serialise)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
