package bench

import (
	"bytes"
	"time"

	"github.com/erlgo/erlgo/etf"
)

// RepresentativeTerm returns the etf-term workload's term as Go builds it:
//
//	{user, 12345, <<100 bytes>>, [1,...,10],
//	 #{name => <<"alice">>, age => 30, admin => true, tags => [a,b,c], score => 1.5}}
//
// The map pairs are in Erlang term order (admin, age, name, score, tags),
// the order term_to_binary writes a small map in, so both sides encode the
// same bytes.
func RepresentativeTerm() etf.Term {
	return etf.Tuple{
		etf.Atom("user"),
		12345,
		bytes.Repeat([]byte("b"), 100),
		etf.List{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		etf.Map{
			{Key: etf.Atom("admin"), Value: etf.Atom("true")},
			{Key: etf.Atom("age"), Value: 30},
			{Key: etf.Atom("name"), Value: []byte("alice")},
			{Key: etf.Atom("score"), Value: 1.5},
			{Key: etf.Atom("tags"), Value: etf.List{etf.Atom("a"), etf.Atom("b"), etf.Atom("c")}},
		},
	}
}

// runETF measures n encodes (etf.Encode, a fresh buffer each time like
// term_to_binary) or n decodes (etf.Decode, like binary_to_term) of the
// representative term.
func runETF(c Case) (Result, error) {
	t := RepresentativeTerm()
	b, err := etf.Encode(t)
	if err != nil {
		return Result{}, err
	}
	sink := 0
	start := time.Now()
	switch c.Op {
	case "encode":
		for range c.N {
			out, err := etf.Encode(t)
			if err != nil {
				return Result{}, err
			}
			sink += len(out)
		}
	default:
		for range c.N {
			d, err := etf.Decode(b)
			if err != nil {
				return Result{}, err
			}
			if _, ok := d.(etf.Tuple); ok {
				sink++
			}
		}
	}
	el := time.Since(start)
	_ = sink
	return Result{Elapsed: el, Ops: int64(c.N)}, nil
}
