// Spec: External Term Format / Distribution Header for Fragmented Messages, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html#distribution-header-for-fragmented-messages

package dist

import (
	"unsafe"

	"github.com/erlgo/erlgo/etf"
)

// reassembler collects fragmented messages (131,69 / 131,70) of one
// connection. Sequences from different sending processes interleave on the
// wire, so partial messages are keyed by sequence id. The atom cache
// header arrives in the first fragment and is applied immediately (later
// messages may use the entries it installs); the resolved atoms are kept
// with the sequence. Used only by the reader goroutine.
//
// What it holds is bounded by what it holds, not by what it received:
// held counts the capacity of every sequence's buffer, the atom refs each
// sequence keeps (up to 255 of them, about 4 KiB plus their text) and a
// fixed overhead per sequence, and must stay within max. The number of
// open sequences is bounded by maxSeqs on top, so a peer cannot make the
// map itself large with sequences that hold almost nothing.
type reassembler struct {
	seqs    map[uint64]*fragSeq
	held    int // accounted bytes of incomplete sequences (see fragSeq.cost)
	max     int
	maxSeqs int
	peak    int // most sequences open at once
}

type fragSeq struct {
	refs []etf.Atom
	buf  []byte
	next uint64 // id of the next expected fragment
	cost int    // bytes accounted for this sequence in reassembler.held
}

// seqOverhead is what one open sequence costs besides its buffer and refs:
// the fragSeq value, its map slot and the pointer to it, rounded up.
const seqOverhead = 128

// refsCost is what keeping refs costs: the string headers of the copy and
// the atom text (which the atom cache may evict while the sequence still
// holds it).
func refsCost(refs []etf.Atom) int {
	n := cap(refs) * int(unsafe.Sizeof(etf.Atom("")))
	for _, a := range refs {
		n += len(a)
	}
	return n
}

func (s *fragSeq) footprint() int { return seqOverhead + cap(s.buf) + refsCost(s.refs) }

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
	if r.maxSeqs > 0 && len(r.seqs) >= r.maxSeqs {
		return false, malformed(ErrReassemblyLimit, "%d fragment sequences open (limit %d)", len(r.seqs)+1, r.maxSeqs)
	}
	s := &fragSeq{next: frag - 1}
	if len(refs) > 0 {
		s.refs = append([]etf.Atom(nil), refs...)
	}
	base := seqOverhead + refsCost(s.refs)
	if err := r.admit(base + len(data)); err != nil {
		return false, err
	}
	s.buf = append(make([]byte, 0, r.reserve(frag, len(data), base)), data...)
	s.cost = s.footprint()
	r.held += s.cost
	r.seqs[seq] = s
	r.peak = max(r.peak, len(r.seqs))
	return false, nil
}

// reserveMax bounds the buffer a first fragment reserves on the strength
// of its fragment count alone (see reserve).
const reserveMax = 8 << 20

// reserve is the capacity a sequence's buffer starts with. Senders cut a
// message into fragments of one size (ERTS and Conn: FragmentSize), so
// frag fragments like this first one hold the whole message, which is then
// assembled without growing and copying (for 1 MiB messages the growth was
// a quarter of the receiver's time). A hostile peer can promise any count,
// so the promise buys at most reserveMax and a quarter of the room the
// limit leaves (so that promises alone never crowd out the data of other
// sequences); beyond that the buffer grows with data that actually came.
// What is reserved is accounted in held like any other capacity.
func (r *reassembler) reserve(frag uint64, n, base int) int {
	room := (r.max - r.held - base) / 4
	want := uint64(n)
	if n > 0 && frag <= uint64(reserveMax/n) {
		want = frag * uint64(n)
	} else if n > 0 {
		want = reserveMax
	}
	return max(n, int(min(want, uint64(reserveMax), uint64(max(room, 0)))))
}

// cont adds a continuation fragment. When it completes the message it
// returns the sequence (removed from the set).
func (r *reassembler) cont(seq, frag uint64, data []byte) (*fragSeq, error) {
	dst, err := r.contInto(seq, frag, len(data))
	if err != nil {
		return nil, err
	}
	copy(dst, data)
	return r.contDone(seq), nil
}

// contInto checks continuation fragment frag of sequence seq, carrying n
// bytes, and extends the sequence's buffer by n bytes for them: the caller
// fills dst (the reader reads the fragment straight off the wire into it)
// and then calls contDone.
func (r *reassembler) contInto(seq, frag uint64, n int) (dst []byte, err error) {
	s, ok := r.seqs[seq]
	if !ok {
		return nil, malformed(nil, "continuation fragment for unknown sequence %d", seq)
	}
	if frag != s.next {
		return nil, malformed(nil, "fragment %d of sequence %d out of order (want %d)", frag, seq, s.next)
	}
	if err := r.grow(s, len(s.buf)+n, frag == 1); err != nil {
		return nil, err
	}
	l := len(s.buf)
	s.buf = s.buf[:l+n]
	return s.buf[l:], nil
}

// contDone counts the fragment contInto admitted. When it completes the
// message it returns the sequence (removed from the set).
func (r *reassembler) contDone(seq uint64) *fragSeq {
	s := r.seqs[seq]
	s.next--
	if s.next > 0 {
		return nil
	}
	delete(r.seqs, seq)
	r.held -= s.cost
	return s
}

// grow makes room for need bytes in s's buffer within the limit. Growth
// doubles (amortised copying for honest messages longer than what was
// reserved) unless the doubled buffer would not fit, then it takes exactly
// what is needed; the last fragment never over-allocates.
func (r *reassembler) grow(s *fragSeq, need int, last bool) error {
	if need <= cap(s.buf) {
		return nil
	}
	if need > r.max {
		return malformed(ErrReassemblyLimit, "fragmented message of more than %d bytes (limit %d)", need, r.max)
	}
	newCap := need
	if !last {
		newCap = max(need, min(2*cap(s.buf), r.max))
	}
	delta := newCap - cap(s.buf)
	if r.held+delta > r.max && newCap > need {
		newCap, delta = need, need-cap(s.buf)
	}
	if err := r.admit(delta); err != nil {
		return err
	}
	nb := make([]byte, len(s.buf), newCap)
	copy(nb, s.buf)
	s.buf = nb
	s.cost += delta
	r.held += delta
	return nil
}

// admit checks that n more bytes fit in the limit.
func (r *reassembler) admit(n int) error {
	if r.held+n > r.max || n > r.max {
		return malformed(ErrReassemblyLimit, "%d bytes held in %d open fragment sequences (limit %d)", r.held+n, len(r.seqs), r.max)
	}
	return nil
}
