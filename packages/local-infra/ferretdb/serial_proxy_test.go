package main

import (
	"encoding/binary"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/bsontype"
	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// opMsgMessage builds an OP_MSG with an optional document sequence (kind 1) before the body (kind 0).
func opMsgMessage(body bsoncore.Document, identifier string, sequence ...bsoncore.Document) []byte {
	msg := make([]byte, 20)
	binary.LittleEndian.PutUint32(msg[12:16], opMsg)
	if identifier != "" {
		var docs []byte
		for _, doc := range sequence {
			docs = append(docs, doc...)
		}
		section := binary.LittleEndian.AppendUint32(nil, uint32(4+len(identifier)+1+len(docs)))
		section = append(append(append(section, identifier...), 0), docs...)
		msg = append(append(msg, 1), section...)
	}
	msg = append(append(msg, 0), body...)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	return msg
}

func command(name, collection string) bsoncore.Document {
	return bsoncore.NewDocumentBuilder().AppendString(name, collection).AppendString("$db", "shop").Build()
}

func doc(build func(*bsoncore.DocumentBuilder)) bsoncore.Document {
	b := bsoncore.NewDocumentBuilder()
	build(b)
	return b.Build()
}

// statement is an update or delete statement whose filter is `q`.
func statement(q bsoncore.Document) bsoncore.Document {
	return doc(func(b *bsoncore.DocumentBuilder) { b.AppendDocument("q", q) })
}

func byID(id string) bsoncore.Document {
	return doc(func(b *bsoncore.DocumentBuilder) { b.AppendString("_id", id).AppendString("status", "PENDING") })
}

var (
	noID = doc(func(b *bsoncore.DocumentBuilder) { b.AppendString("orderId", "o1") })
	inID = doc(func(b *bsoncore.DocumentBuilder) {
		b.AppendDocument("_id", doc(func(b *bsoncore.DocumentBuilder) {
			b.AppendArray("$in", bsoncore.NewArrayBuilder().AppendString("a").AppendString("b").Build())
		}))
	})
	numberOne = doc(func(b *bsoncore.DocumentBuilder) { b.AppendInt32("_id", 1) })
)

func findAndModify(query bsoncore.Document) bsoncore.Document {
	return doc(func(b *bsoncore.DocumentBuilder) {
		b.AppendString("findAndModify", "orders").AppendDocument("query", query).AppendString("$db", "shop")
	})
}

func key(id string) string {
	return string(append([]byte{byte(bsontype.String)}, bsoncore.AppendString(nil, id)...))
}

func TestClassify(t *testing.T) {
	updatesInBody := doc(func(b *bsoncore.DocumentBuilder) {
		b.AppendString("update", "orders").
			AppendArray("updates", bsoncore.NewArrayBuilder().AppendDocument(statement(byID("b"))).AppendDocument(statement(byID("a"))).Build()).
			AppendString("$db", "shop")
	})
	for _, tc := range []struct {
		name    string
		message []byte
		want    plan
	}{
		{"findAndModify by _id locks that document", opMsgMessage(findAndModify(byID("o1")), ""),
			plan{known: true, write: true, collection: "shop.orders", documents: []string{key("o1")}}},
		{"findAndModify by another field locks the collection", opMsgMessage(findAndModify(noID), ""),
			plan{known: true, write: true, collection: "shop.orders"}},
		{"an _id operator may match many: the collection", opMsgMessage(findAndModify(inID), ""),
			plan{known: true, write: true, collection: "shop.orders"}},
		{"update statements in a sequence, each by _id", opMsgMessage(command("update", "stock"), "updates", statement(byID("s2")), statement(byID("s1")), statement(byID("s2"))),
			plan{known: true, write: true, collection: "shop.stock", documents: []string{key("s1"), key("s2")}}},
		{"one statement without _id locks the collection", opMsgMessage(command("update", "stock"), "updates", statement(byID("s1")), statement(noID)),
			plan{known: true, write: true, collection: "shop.stock"}},
		{"update statements in the body", opMsgMessage(updatesInBody, ""),
			plan{known: true, write: true, collection: "shop.orders", documents: []string{key("a"), key("b")}}},
		{"delete by _id", opMsgMessage(command("delete", "orders"), "deletes", statement(numberOne)),
			plan{known: true, write: true, collection: "shop.orders", documents: []string{string(append([]byte{byte(bsontype.Int32)}, 1, 0, 0, 0))}}},
		{"find runs unlocked", opMsgMessage(command("find", "orders"), ""), plan{known: true}},
		{"insert runs unlocked", opMsgMessage(command("insert", "orders"), "documents", byID("x")), plan{known: true}},
		{"handshake over OP_QUERY", func() []byte {
			m := make([]byte, 32)
			binary.LittleEndian.PutUint32(m[12:16], opQuery)
			return m
		}(), plan{known: true}},
		{"unknown op code waits for every write", func() []byte {
			m := make([]byte, 32)
			binary.LittleEndian.PutUint32(m[12:16], 2012) // OP_COMPRESSED
			return m
		}(), plan{}},
		{"truncated body waits for every write", opMsgMessage(command("update", "stock"), "")[:30], plan{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := classify(tc.message)
			if got.known != tc.want.known || got.write != tc.want.write || got.collection != tc.want.collection ||
				len(got.documents) != len(tc.want.documents) || (got.documents == nil) != (tc.want.documents == nil) {
				t.Fatalf("classify = %+v, want %+v", got, tc.want)
			}
			for i := range got.documents {
				if got.documents[i] != tc.want.documents[i] {
					t.Fatalf("documents = %q, want %q", got.documents, tc.want.documents)
				}
			}
		})
	}
}

// held reports whether lock(request) returns within a short time, releasing it if so.
func acquired(p *serialProxy, request []byte) (func(), bool) {
	done := make(chan func(), 1)
	go func() { done <- p.lock(request) }()
	select {
	case unlock := <-done:
		return unlock, true
	case <-time.After(100 * time.Millisecond):
		return func() { (<-done)() }, false
	}
}

func TestLocks(t *testing.T) {
	p := newSerialProxy("", serialiseWrites, slog.New(slog.NewTextHandler(io.Discard, nil)))
	first := p.lock(opMsgMessage(findAndModify(byID("o1")), ""))

	other, ok := acquired(p, opMsgMessage(findAndModify(byID("o2")), ""))
	if !ok {
		t.Fatal("a write to another document waited for o1")
	}
	other()

	same, ok := acquired(p, opMsgMessage(findAndModify(byID("o1")), ""))
	if ok {
		t.Fatal("a second write to o1 did not wait")
	}
	wide, ok := acquired(p, opMsgMessage(findAndModify(noID), ""))
	if ok {
		t.Fatal("a collection-wide write did not wait for the document lock")
	}
	first()
	same()
	wide()
	if len(p.collections) != 0 {
		t.Fatalf("locks left behind: %v", p.collections)
	}
}
