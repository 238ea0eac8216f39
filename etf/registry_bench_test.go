package etf

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"testing"
)

// benchOrder is the 10-field struct of the registry benchmarks.
type benchOrder struct {
	ID       int64
	Customer string
	Item     string
	SKU      string
	Qty      int
	Price    float64
	Discount float64
	Paid     bool
	Tags     []string
	Zone     int32
}

func benchOrderValue() benchOrder {
	return benchOrder{
		ID: 123456789, Customer: "alice@example.com", Item: "The Book of Erlang", SKU: "BK-0042",
		Qty: 3, Price: 29.5, Discount: 0.1, Paid: true, Tags: []string{"gift", "express"}, Zone: -5,
	}
}

func benchRegistry(b *testing.B) *Registry {
	r := NewRegistry()
	noErr(b, Register[benchOrder](r, "Elixir.Shop.Order"))
	return r
}

// BenchmarkRegistryEncode encodes the same 10-field struct through the
// registry's compiled codec, today's Marshal, encoding/gob (one stream,
// type sent once) and encoding/json.
func BenchmarkRegistryEncode(b *testing.B) {
	v := benchOrderValue()
	b.Run("registry", func(b *testing.B) {
		e := Encoder{Registry: benchRegistry(b)}
		var msg any = v
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if buf, err = e.AppendTerm(buf[:0], msg); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			var err error
			if out, err = Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(out)))
	})
	b.Run("gob", func(b *testing.B) {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		noErr(b, enc.Encode(v)) // the type travels once per stream
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(v); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(buf.Len()))
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			var err error
			if out, err = json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(out)))
	})
}

// BenchmarkRegistryDecode decodes each codec's own bytes of the struct
// back into a benchOrder. "registry" is bytes to term (Decode), then
// FromTerm; "registry-bytes" the bytes path (DecodeTerm, straight into the
// struct); "fromterm" the term conversion alone.
func BenchmarkRegistryDecode(b *testing.B) {
	v := benchOrderValue()
	b.Run("registry", func(b *testing.B) {
		r := benchRegistry(b)
		data, err := r.Encode(v)
		noErr(b, err)
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			t, err := Decode(data)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok, err := r.FromTerm(t); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("registry-bytes", func(b *testing.B) {
		r := benchRegistry(b)
		data, err := r.Encode(v)
		noErr(b, err)
		var d Decoder
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, ok, _, err := r.DecodeTerm(&d, data[1:]); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("fromterm", func(b *testing.B) {
		r := benchRegistry(b)
		t, err := r.ToTerm(v)
		noErr(b, err)
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, err := r.FromTerm(t); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		data, err := Marshal(v)
		noErr(b, err)
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var x benchOrder
			if err := Unmarshal(data, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gob", func(b *testing.B) {
		var stream bytes.Buffer
		enc := gob.NewEncoder(&stream)
		noErr(b, enc.Encode(v))
		dec := gob.NewDecoder(&stream)
		var first benchOrder
		noErr(b, dec.Decode(&first)) // consumes the type
		noErr(b, enc.Encode(v))
		msg := append([]byte(nil), stream.Bytes()...)
		stream.Reset()
		b.ReportAllocs()
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			stream.Write(msg)
			var x benchOrder
			if err := dec.Decode(&x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		data, err := json.Marshal(v)
		noErr(b, err)
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var x benchOrder
			if err := json.Unmarshal(data, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}
