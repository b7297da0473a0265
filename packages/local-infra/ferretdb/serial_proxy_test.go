package main

import (
	"encoding/binary"
	"testing"

	"go.mongodb.org/mongo-driver/x/bsonx/bsoncore"
)

// opMsgMessage builds an OP_MSG with an optional document sequence (kind 1) before the body (kind 0).
func opMsgMessage(body bsoncore.Document, sequence bool) []byte {
	msg := make([]byte, 20)
	binary.LittleEndian.PutUint32(msg[12:16], opMsg)
	if sequence {
		doc := bsoncore.NewDocumentBuilder().AppendString("x", "y").Build()
		section := binary.LittleEndian.AppendUint32(nil, uint32(4+len("documents")+1+len(doc)))
		section = append(append(append(section, "documents"...), 0), doc...)
		msg = append(append(msg, 1), section...)
	}
	msg = append(append(msg, 0), body...)
	binary.LittleEndian.PutUint32(msg[0:4], uint32(len(msg)))
	return msg
}

func command(name, collection string) bsoncore.Document {
	return bsoncore.NewDocumentBuilder().AppendString(name, collection).AppendString("$db", "shop").Build()
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name         string
		message      []byte
		key          string
		write, known bool
	}{
		{"findAndModify locks its collection", opMsgMessage(command("findAndModify", "orders"), false), "shop.orders", true, true},
		{"update with a sequence of statements", opMsgMessage(command("update", "stock"), true), "shop.stock", true, true},
		{"delete", opMsgMessage(command("delete", "orders"), false), "shop.orders", true, true},
		{"find runs unlocked", opMsgMessage(command("find", "orders"), false), "", false, true},
		{"insert runs unlocked", opMsgMessage(command("insert", "orders"), true), "", false, true},
		{"handshake over OP_QUERY", func() []byte {
			m := make([]byte, 32)
			binary.LittleEndian.PutUint32(m[12:16], opQuery)
			return m
		}(), "", false, true},
		{"unknown op code waits for every write", func() []byte {
			m := make([]byte, 32)
			binary.LittleEndian.PutUint32(m[12:16], 2012) // OP_COMPRESSED
			return m
		}(), "", false, false},
		{"truncated body waits for every write", opMsgMessage(command("update", "stock"), false)[:30], "", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, write, known := classify(tc.message)
			if key != tc.key || write != tc.write || known != tc.known {
				t.Fatalf("classify = (%q, %v, %v), want (%q, %v, %v)", key, write, known, tc.key, tc.write, tc.known)
			}
		})
	}
}
