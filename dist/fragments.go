package dist

import (
	"github.com/erlgo/erlgo/etf"
)

// reassembler collects fragmented messages (131,69 / 131,70) of one
// connection. Sequences from different sending processes interleave on the
// wire, so partial messages are keyed by sequence id. The atom cache
// header arrives in the first fragment and is applied immediately (later
// messages may use the entries it installs); the resolved atoms are kept
// with the sequence. Used only by the reader goroutine.
type reassembler struct {
	seqs  map[uint64]*fragSeq
	total int // bytes buffered in incomplete sequences
	max   int
	peak  int // most sequences open at once
}

type fragSeq struct {
	refs []etf.Atom
	buf  []byte
	next uint64 // id of the next expected fragment
}

// first starts sequence seq whose first fragment has id frag (the total
// fragment count) and carries data after the header. It returns true if
// the message is complete (frag == 1); then nothing is stored.
func (r *reassembler) first(seq, frag uint64, refs []etf.Atom, data []byte) (bool, error) {
	if frag == 0 {
		return false, malformed(nil, "fragment id 0")
	}
	if frag == 1 {
		return true, nil
	}
	if r.seqs == nil {
		r.seqs = map[uint64]*fragSeq{}
	}
	if _, dup := r.seqs[seq]; dup {
		return false, malformed(nil, "fragment sequence %d started twice", seq)
	}
	if err := r.grow(len(data)); err != nil {
		return false, err
	}
	s := &fragSeq{refs: append([]etf.Atom(nil), refs...), next: frag - 1}
	s.buf = append(make([]byte, 0, min(len(data)*2, r.max)), data...)
	r.seqs[seq] = s
	r.peak = max(r.peak, len(r.seqs))
	return false, nil
}

// cont adds a continuation fragment. When it completes the message it
// returns the sequence (removed from the set).
func (r *reassembler) cont(seq, frag uint64, data []byte) (*fragSeq, error) {
	s, ok := r.seqs[seq]
	if !ok {
		return nil, malformed(nil, "continuation fragment for unknown sequence %d", seq)
	}
	if frag != s.next {
		return nil, malformed(nil, "fragment %d of sequence %d out of order (want %d)", frag, seq, s.next)
	}
	if err := r.grow(len(data)); err != nil {
		return nil, err
	}
	s.buf = append(s.buf, data...)
	s.next--
	if s.next > 0 {
		return nil, nil
	}
	delete(r.seqs, seq)
	r.total -= len(s.buf)
	return s, nil
}

func (r *reassembler) grow(n int) error {
	if r.total+n > r.max || n > r.max {
		return malformed(ErrReassemblyLimit, "%d bytes buffered in fragments (limit %d)", r.total+n, r.max)
	}
	r.total += n
	return nil
}
