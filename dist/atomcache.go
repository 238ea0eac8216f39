// Spec: External Term Format / Distribution Header, https://www.erlang.org/doc/apps/erts/erl_ext_dist.html#distribution-header

package dist

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/erlgo/erlgo/etf"
)

// The distribution header atom cache (erl_ext_dist, "Distribution Header").
// Each direction of a connection has 8 segments x 256 = 2048 slots that
// live as long as the connection. A message's header lists up to 255
// references; each either installs a new atom in a slot (NewCacheEntry) or
// names a slot the receiver already holds. Terms then refer to the header's
// list with ATOM_CACHE_REF (82).

const (
	cacheSlots       = 2048
	maxRefsPerHeader = 255
)

// outCache is the sending side's cache. It implements etf.AtomCacheEncoder
// for one message at a time: begin, encode (AtomRef calls), then commit on
// success or drop on failure, so the cache state always equals what the
// receiver has seen. Guarded by the Conn's write mutex.
type outCache struct {
	slots  [cacheSlots]etf.Atom // what the receiver holds
	held   [cacheSlots]bool     // slot has been sent at least once
	msgGen [cacheSlots]uint32   // message generation that uses the slot
	msgIdx [cacheSlots]uint8    // that message's ref index for the slot
	gen    uint32
	refs   []outRef // this message's references, in index order
	long   bool     // a new entry needs 2-byte lengths
}

type outRef struct {
	atom  etf.Atom
	slot  uint16
	isNew bool
}

func (o *outCache) begin() {
	o.gen++
	if o.gen == 0 { // wrapped: clear stale stamps
		o.msgGen = [cacheSlots]uint32{}
		o.gen = 1
	}
	o.refs = o.refs[:0]
	o.long = false
}

func atomSlot(a etf.Atom) uint16 {
	h := uint32(2166136261)
	for i := 0; i < len(a); i++ {
		h ^= uint32(a[i])
		h *= 16777619
	}
	return uint16(h % cacheSlots)
}

// AtomRef implements etf.AtomCacheEncoder.
func (o *outCache) AtomRef(a etf.Atom) (int, bool) {
	if len(a) > 255 {
		// Keep the short length form on send and let the encoder
		// validate (and reject) odd atoms itself.
		return 0, false
	}
	s := atomSlot(a)
	if o.msgGen[s] == o.gen {
		i := o.msgIdx[s]
		if o.refs[i].atom == a {
			return int(i), true
		}
		return 0, false // slot taken by another atom in this message
	}
	if len(o.refs) >= maxRefsPerHeader {
		return 0, false
	}
	isNew := !o.held[s] || o.slots[s] != a
	if isNew && !utf8.ValidString(string(a)) {
		return 0, false // the encoder reports the invalid atom
	}
	i := len(o.refs)
	o.refs = append(o.refs, outRef{atom: a, slot: s, isNew: isNew})
	o.msgGen[s] = o.gen
	o.msgIdx[s] = uint8(i)
	return i, true
}

// commit records this message's new entries as held by the receiver and
// returns the number of new and cached references.
func (o *outCache) commit() (newRefs, hits int) {
	for _, r := range o.refs {
		if r.isNew {
			o.slots[r.slot], o.held[r.slot] = r.atom, true
			newRefs++
		}
	}
	return newRefs, len(o.refs) - newRefs
}

// headerLen returns the size of the atom cache part of the header
// (NumberOfAtomCacheRefs onwards).
func (o *outCache) headerLen() int {
	n := len(o.refs)
	if n == 0 {
		return 1
	}
	l := 1 + n/2 + 1
	for _, r := range o.refs {
		l++
		if r.isNew {
			l += 1 + len(r.atom)
		}
	}
	return l
}

// appendHeader appends NumberOfAtomCacheRefs, the flag nibbles and the
// references of the current message.
func (o *outCache) appendHeader(dst []byte) []byte {
	n := len(o.refs)
	dst = append(dst, byte(n))
	if n == 0 {
		return dst
	}
	fl := len(dst)
	for i := 0; i < n/2+1; i++ {
		dst = append(dst, 0)
	}
	for i, r := range o.refs {
		nib := byte(r.slot >> 8)
		if r.isNew {
			nib |= 8
		}
		dst[fl+i/2] |= nib << (4 * (i & 1))
	}
	// The nibble after the last ref holds LongAtoms (bit 0): always 0,
	// since AtomRef only caches atoms of at most 255 bytes.
	for _, r := range o.refs {
		dst = append(dst, byte(r.slot))
		if r.isNew {
			dst = append(dst, byte(len(r.atom)))
			dst = append(dst, r.atom...)
		}
	}
	return dst
}

// inCache is the receiving side's cache plus the current message's
// resolved references; it implements etf.AtomCacheDecoder. Used only by the
// connection's reader goroutine.
type inCache struct {
	slots     [cacheSlots]etf.Term // etf.Atom, boxed once when cached; nil: empty
	refs      []etf.Atom
	refTerms  []etf.Term // refs as the slots hold them; empty for reassembled messages
	hits, new uint64     // cumulative counts of cached and new refs
}

// AtomRef implements etf.AtomCacheDecoder.
func (c *inCache) AtomRef(i int) (etf.Atom, bool) {
	if i < 0 || i >= len(c.refs) {
		return "", false
	}
	return c.refs[i], true
}

// AtomRefTerm implements etf.AtomTermCache.
func (c *inCache) AtomRefTerm(i int) (etf.Term, bool) {
	if i < 0 || i >= len(c.refTerms) {
		return nil, false
	}
	return c.refTerms[i], true
}

// setRefs makes refs the current message's references, as a reassembled
// message restores those of its first fragment (without their Terms: the
// decoder interns them).
func (c *inCache) setRefs(refs []etf.Atom) {
	c.refs = append(c.refs[:0], refs...)
	c.refTerms = c.refTerms[:0]
}

// parseHeader reads the atom cache part of a distribution header from b
// (starting at NumberOfAtomCacheRefs), installs new entries, sets c.refs
// and returns the number of bytes used.
func (c *inCache) parseHeader(b []byte) (int, error) {
	c.refs, c.refTerms = c.refs[:0], c.refTerms[:0]
	if len(b) < 1 {
		return 0, malformed(nil, "missing atom cache ref count")
	}
	n := int(b[0])
	if n == 0 {
		return 1, nil
	}
	fl := n/2 + 1
	if len(b) < 1+fl {
		return 0, malformed(nil, "truncated atom cache flags")
	}
	flags := b[1 : 1+fl]
	long := (flags[n/2]>>(4*(n&1)))&1 != 0
	pos := 1 + fl
	for i := 0; i < n; i++ {
		nib := (flags[i/2] >> (4 * (i & 1))) & 0xf
		if pos >= len(b) {
			return 0, malformed(nil, "truncated atom cache ref %d", i)
		}
		slot := int(nib&7)<<8 | int(b[pos])
		pos++
		if nib&8 == 0 {
			t := c.slots[slot]
			if t == nil {
				return 0, malformed(nil, "atom cache ref %d names empty slot %d", i, slot)
			}
			c.refs = append(c.refs, t.(etf.Atom))
			c.refTerms = append(c.refTerms, t)
			c.hits++
			continue
		}
		var l int
		if long {
			if len(b)-pos < 2 {
				return 0, malformed(nil, "truncated atom length")
			}
			l = int(binary.BigEndian.Uint16(b[pos:]))
			pos += 2
		} else {
			if len(b)-pos < 1 {
				return 0, malformed(nil, "truncated atom length")
			}
			l = int(b[pos])
			pos++
		}
		if len(b)-pos < l {
			return 0, malformed(nil, "truncated atom text in cache ref %d", i)
		}
		text := b[pos : pos+l]
		pos += l
		if !utf8.Valid(text) || utf8.RuneCount(text) > 255 {
			return 0, malformed(nil, "invalid atom text in cache ref %d", i)
		}
		t := c.slots[slot]
		if a, _ := t.(etf.Atom); t == nil || string(a) != string(text) {
			t = etf.Atom(text) // the only allocations: a new atom, boxed
		}
		c.slots[slot] = t
		c.refs = append(c.refs, t.(etf.Atom))
		c.refTerms = append(c.refTerms, t)
		c.new++
	}
	return pos, nil
}
