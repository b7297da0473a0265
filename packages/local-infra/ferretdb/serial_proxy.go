package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
)

// FerretDB 1.x with the SQLite backend reads a document and writes it back in separate steps, so two
// concurrent updates of one document can both "win" and one is lost (FerretDB issue #3040). MongoDB
// applies every single-document update atomically, and the platform relies on that (conditional stock
// updates, the outbox). This proxy restores the guarantee for the local stand-in the blunt way: it
// forwards one wire-protocol request at a time, across all client connections, and waits for its reply.
// Throughput drops; correctness matches MongoDB's. A real MongoDB needs none of this.

const (
	opMsg          = 2013
	flagMoreToCome = 1 << 1
	maxMessageSize = 48 * 1000 * 1000
)

type serialProxy struct {
	backend string
	logger  *slog.Logger
	mu      sync.Mutex
}

func (p *serialProxy) serve(l net.Listener) error {
	for {
		client, err := l.Accept()
		if err != nil {
			return err
		}
		go p.handle(client)
	}
}

func (p *serialProxy) handle(client net.Conn) {
	defer client.Close()
	backend, err := net.Dial("tcp", p.backend)
	if err != nil {
		p.logger.Error("proxy: cannot reach FerretDB", "err", err)
		return
	}
	defer backend.Close()

	for {
		request, err := readMessage(client)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.logger.Debug("proxy: client read", "err", err)
			}
			return
		}
		if err := p.roundTrip(request, client, backend); err != nil {
			p.logger.Debug("proxy: round trip", "err", err)
			return
		}
	}
}

// roundTrip sends one request and relays its reply while holding the global lock.
func (p *serialProxy) roundTrip(request []byte, client, backend net.Conn) error {
	p.mu.Lock()
	defer p.mu.Unlock()

	if _, err := backend.Write(request); err != nil {
		return err
	}
	if expectsNoReply(request) {
		return nil
	}
	reply, err := readMessage(backend)
	if err != nil {
		return err
	}
	_, err = client.Write(reply)
	return err
}

// expectsNoReply is true for OP_MSG requests with moreToCome set (unacknowledged writes).
func expectsNoReply(message []byte) bool {
	if binary.LittleEndian.Uint32(message[12:16]) != opMsg || len(message) < 20 {
		return false
	}
	return binary.LittleEndian.Uint32(message[16:20])&flagMoreToCome != 0
}

// readMessage reads one wire-protocol message: a little-endian int32 length (header included), then the rest.
func readMessage(r io.Reader) ([]byte, error) {
	header := make([]byte, 16)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, err
	}
	length := int(binary.LittleEndian.Uint32(header[0:4]))
	if length < 16 || length > maxMessageSize {
		return nil, fmt.Errorf("invalid message length %d", length)
	}
	message := make([]byte, length)
	copy(message, header)
	if _, err := io.ReadFull(r, message[16:]); err != nil {
		return nil, err
	}
	return message, nil
}
