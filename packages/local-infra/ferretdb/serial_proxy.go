package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// FerretDB 1.x applies an update by reading the document, changing it in Go and writing it back by _id, in
// separate steps (SQLite and PostgreSQL backends alike), so two concurrent updates of one document can both
// "win" and one is lost (FerretDB issue #3040). MongoDB applies every single-document update atomically,
// and the platform relies on that (conditional stock updates, the outbox). This proxy restores the
// guarantee for the local stand-in. A real MongoDB needs none of this.
//
// Mode "writes" (the default): only commands that read and then write documents (update, findAndModify,
// delete) wait, and only for each other within one collection of one database: the proxy cannot know which
// documents a filter matches without evaluating it, and every such command touches a single collection.
// Reads, inserts (one INSERT statement each; unique indexes are enforced by the backend) and commands on
// other collections or databases run concurrently. Anything the proxy cannot classify waits for every write.
//
// Mode "all": one request at a time across all connections (what the SQLite backend needs).

const (
	opQuery        = 2004
	opMsg          = 2013
	flagChecksum   = 1 << 0
	flagMoreToCome = 1 << 1
	maxMessageSize = 48 * 1000 * 1000
)

type serialiseMode int

const (
	serialiseWrites serialiseMode = iota
	serialiseAll
	serialiseNone
)

func parseSerialiseMode(s string) (serialiseMode, error) {
	switch s {
	case "writes":
		return serialiseWrites, nil
	case "all":
		return serialiseAll, nil
	case "none":
		return serialiseNone, nil
	}
	return 0, fmt.Errorf("unknown -serialise %q (writes, all or none)", s)
}

// readModifyWrite are the commands FerretDB implements as query, then change in Go, then write back.
var readModifyWrite = map[string]bool{"update": true, "findandmodify": true, "delete": true}

type serialProxy struct {
	backend string
	mode    serialiseMode
	logger  *slog.Logger

	// all: held shared by every collection write, exclusively by requests the proxy cannot classify
	// (and by every request in mode "all").
	all sync.RWMutex

	mu          sync.Mutex
	collections map[string]*collectionLock
}

type collectionLock struct {
	sync.Mutex
	users int
}

func newSerialProxy(backend string, mode serialiseMode, logger *slog.Logger) *serialProxy {
	return &serialProxy{backend: backend, mode: mode, logger: logger, collections: map[string]*collectionLock{}}
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
		unlock := p.lock(request)
		err = roundTrip(request, client, backend)
		unlock()
		if err != nil {
			p.logger.Debug("proxy: round trip", "err", err)
			return
		}
	}
}

// lock takes what the request must hold while it runs and returns the function that releases it.
func (p *serialProxy) lock(request []byte) func() {
	if p.mode == serialiseAll {
		p.all.Lock()
		return p.all.Unlock
	}
	key, write, known := classify(request)
	switch {
	case !known:
		p.all.Lock()
		return p.all.Unlock
	case !write:
		return func() {}
	}
	p.all.RLock()
	p.mu.Lock()
	l := p.collections[key]
	if l == nil {
		l = &collectionLock{}
		p.collections[key] = l
	}
	l.users++
	p.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		p.mu.Lock()
		if l.users--; l.users == 0 {
			delete(p.collections, key)
		}
		p.mu.Unlock()
		p.all.RUnlock()
	}
}

// classify reads the command of an OP_MSG request: for read-modify-write commands it returns "db.collection"
// and write=true. known=false when the request is not something the proxy can read (then it is serialised).
func classify(request []byte) (key string, write, known bool) {
	opCode := binary.LittleEndian.Uint32(request[12:16])
	if opCode == opQuery {
		// FerretDB answers OP_QUERY only for the connection handshake (hello, isMaster, saslStart).
		return "", false, true
	}
	if opCode != opMsg || len(request) < 21 {
		return "", false, false
	}
	body, ok := opMsgBody(request)
	if !ok {
		return "", false, false
	}
	first, err := body.IndexErr(0)
	if err != nil {
		return "", false, false
	}
	if !readModifyWrite[strings.ToLower(first.Key())] {
		return "", false, true
	}
	collection, ok := first.Value().StringValueOK()
	if !ok {
		return "", false, false
	}
	db, ok := body.Lookup("$db").StringValueOK()
	if !ok {
		return "", false, false
	}
	return db + "." + collection, true, true
}

// opMsgBody returns the OP_MSG's body section (kind 0), the command document.
func opMsgBody(message []byte) (bsoncore.Document, bool) {
	flags := binary.LittleEndian.Uint32(message[16:20])
	end := len(message)
	if flags&flagChecksum != 0 {
		end -= 4
	}
	for i := 20; i < end; {
		kind := message[i]
		i++
		if i+4 > end {
			return nil, false
		}
		size := int(binary.LittleEndian.Uint32(message[i : i+4]))
		if size < 5 || i+size > end {
			return nil, false
		}
		if kind == 0 {
			doc := bsoncore.Document(message[i : i+size])
			return doc, doc.Validate() == nil
		}
		i += size // kind 1: a document sequence, whose size counts itself like a document's does
	}
	return nil, false
}

// roundTrip sends one request and relays its reply.
func roundTrip(request []byte, client, backend net.Conn) error {
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

// expectsNoReply is true for OP_MSG requests with moreToCome set (unacknowledged writes, w:0). Their lock is
// released once they are sent, before FerretDB has applied them; the platform never writes with w:0.
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
