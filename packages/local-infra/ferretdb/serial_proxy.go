package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// FerretDB 1.x applies an update by reading the document, changing it in Go and writing it back by _id, in
// separate steps (SQLite and PostgreSQL backends alike), so two concurrent updates of one document can both
// "win" and one is lost (FerretDB issue #3040). MongoDB applies every single-document update atomically,
// and the platform relies on that (conditional stock updates, the outbox). This proxy restores the
// guarantee for the local stand-in. A real MongoDB needs none of this.
//
// Mode "writes" (the default): only commands that read and then write documents (update, findAndModify,
// delete) wait, and only for each other within one collection of one database. A command whose every statement
// names one document by an equality on `_id` (`{_id: x, status: "PENDING"}`: at most that document) locks those
// documents only, so writes to different documents of a collection run side by side; any other filter may match
// any document, so it locks the whole collection (waiting for the document locks held, and they for it).
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

// readModifyWrite are the commands FerretDB implements as query, then change in Go, then write back, each with
// where its filters are: the field of the statements (in the body, or an OP_MSG document sequence) and the field
// of the filter in each statement; findAndModify has a single filter in the body itself.
var readModifyWrite = map[string]struct{ statements, filter string }{
	"update":        {"updates", "q"},
	"delete":        {"deletes", "q"},
	"findandmodify": {"", "query"},
}

// plan is what a request must hold while it runs.
type plan struct {
	known bool
	write bool
	// collection is "db.collection" for a write.
	collection string
	// documents are the `_id`s (raw BSON values) a write is confined to; nil: the whole collection.
	documents []string
}

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

// collectionLock: held exclusively by a write that may touch any document, shared by writes confined to named
// documents, which then take their documents' locks.
type collectionLock struct {
	sync.RWMutex
	users     int
	documents map[string]*documentLock
}

type documentLock struct {
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
	pl := classify(request)
	switch {
	case !pl.known:
		p.all.Lock()
		return p.all.Unlock
	case !pl.write:
		return func() {}
	}
	p.all.RLock()
	c, docs := p.acquire(pl)
	if docs == nil {
		c.Lock()
	} else {
		c.RLock()
		for _, d := range docs {
			d.Lock()
		}
	}
	return func() {
		if docs == nil {
			c.Unlock()
		} else {
			for i := len(docs) - 1; i >= 0; i-- {
				docs[i].Unlock()
			}
			c.RUnlock()
		}
		p.release(pl)
		p.all.RUnlock()
	}
}

// acquire finds (or creates) the locks of a write's collection and documents, counting the write as their user.
// Documents come sorted, so two writes naming the same two documents take them in the same order.
func (p *serialProxy) acquire(pl plan) (*collectionLock, []*documentLock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.collections[pl.collection]
	if c == nil {
		c = &collectionLock{documents: map[string]*documentLock{}}
		p.collections[pl.collection] = c
	}
	c.users++
	if pl.documents == nil {
		return c, nil
	}
	docs := make([]*documentLock, 0, len(pl.documents))
	for _, id := range pl.documents {
		d := c.documents[id]
		if d == nil {
			d = &documentLock{}
			c.documents[id] = d
		}
		d.users++
		docs = append(docs, d)
	}
	return c, docs
}

// release forgets the locks nobody uses any more.
func (p *serialProxy) release(pl plan) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.collections[pl.collection]
	for _, id := range pl.documents {
		d := c.documents[id]
		if d.users--; d.users == 0 {
			delete(c.documents, id)
		}
	}
	if c.users--; c.users == 0 {
		delete(p.collections, pl.collection)
	}
}

// classify reads the command of an OP_MSG request: for read-modify-write commands, its collection and, when
// every statement's filter names one `_id`, those documents. known=false when the request is not something
// the proxy can read (then it is serialised against everything).
func classify(request []byte) plan {
	opCode := binary.LittleEndian.Uint32(request[12:16])
	if opCode == opQuery {
		// FerretDB answers OP_QUERY only for the connection handshake (hello, isMaster, saslStart).
		return plan{known: true}
	}
	if opCode != opMsg || len(request) < 21 {
		return plan{}
	}
	body, sequences, ok := opMsgSections(request)
	if !ok {
		return plan{}
	}
	first, err := body.IndexErr(0)
	if err != nil {
		return plan{}
	}
	fields, isWrite := readModifyWrite[strings.ToLower(first.Key())]
	if !isWrite {
		return plan{known: true}
	}
	collection, ok := first.Value().StringValueOK()
	if !ok {
		return plan{}
	}
	db, ok := body.Lookup("$db").StringValueOK()
	if !ok {
		return plan{}
	}
	pl := plan{known: true, write: true, collection: db + "." + collection}
	var filters []bsoncore.Document
	if fields.statements == "" {
		filter, ok := body.Lookup(fields.filter).DocumentOK()
		if !ok {
			return pl
		}
		filters = append(filters, filter)
	} else {
		statements := sequences[fields.statements]
		if statements == nil {
			values, err := body.Lookup(fields.statements).Array().Values()
			if err != nil {
				return pl
			}
			for _, v := range values {
				doc, ok := v.DocumentOK()
				if !ok {
					return pl
				}
				statements = append(statements, doc)
			}
		}
		for _, statement := range statements {
			filter, ok := statement.Lookup(fields.filter).DocumentOK()
			if !ok {
				return pl
			}
			filters = append(filters, filter)
		}
	}
	pl.documents = documentIDs(filters)
	return pl
}

// documentIDs returns the distinct `_id`s the filters are confined to, sorted, or nil when any filter is not
// confined to one document (no `_id`, or an `_id` condition that is an operator: `$in`, `$gt`...).
func documentIDs(filters []bsoncore.Document) []string {
	if len(filters) == 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, filter := range filters {
		id, err := filter.LookupErr("_id")
		if err != nil {
			return nil
		}
		switch id.Type {
		case bsontype.EmbeddedDocument, bsontype.Array, bsontype.Regex, bsontype.JavaScript,
			bsontype.CodeWithScope, bsontype.Null, bsontype.Undefined, bsontype.MinKey, bsontype.MaxKey:
			return nil
		}
		// The type byte too: the string "1" and the number 1 are different documents.
		seen[string(append([]byte{byte(id.Type)}, id.Data...))] = true
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// opMsgSections returns the OP_MSG's body section (kind 0), the command document, and its document sequences
// (kind 1) by identifier: drivers send the statements of a write (`updates`, `deletes`) that way.
func opMsgSections(message []byte) (bsoncore.Document, map[string][]bsoncore.Document, bool) {
	flags := binary.LittleEndian.Uint32(message[16:20])
	end := len(message)
	if flags&flagChecksum != 0 {
		end -= 4
	}
	var body bsoncore.Document
	sequences := map[string][]bsoncore.Document{}
	for i := 20; i < end; {
		kind := message[i]
		i++
		if i+4 > end {
			return nil, nil, false
		}
		size := int(binary.LittleEndian.Uint32(message[i : i+4]))
		if size < 5 || i+size > end {
			return nil, nil, false
		}
		switch kind {
		case 0:
			body = bsoncore.Document(message[i : i+size])
			if body.Validate() != nil {
				return nil, nil, false
			}
		case 1:
			// int32 size (counting itself), a cstring identifier, then documents up to the size.
			section := message[i+4 : i+size]
			nul := bytes.IndexByte(section, 0)
			if nul < 0 {
				return nil, nil, false
			}
			identifier := string(section[:nul])
			for rest := section[nul+1:]; len(rest) > 0; {
				doc, remaining, ok := bsoncore.ReadDocument(rest)
				if !ok || doc.Validate() != nil {
					return nil, nil, false
				}
				sequences[identifier] = append(sequences[identifier], doc)
				rest = remaining
			}
		default:
			return nil, nil, false
		}
		i += size
	}
	return body, sequences, body != nil
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
