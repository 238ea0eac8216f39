package etf

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/big"
)

// hashSeed is chosen once per process so that a peer cannot precompute
// colliding map keys. It is immutable after initialisation.
var hashSeed = maphash.MakeSeed()

// maxHashDepth stops hashing of pathologically deep (or cyclic) Go values;
// everything below it hashes alike, which is still consistent with Equal.
const maxHashDepth = 64

// HashTerm returns a hash of t that is consistent with Equal: terms that are
// Equal hash alike, whatever Go shape they take (int vs *big.Int, string vs
// []byte, Charlist vs List, map pair order). The hash is seeded per process
// and must not be persisted.
func HashTerm(t Term) uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	hashInto(&h, t, 0)
	return h.Sum64()
}

func writeU64(h *maphash.Hash, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	h.Write(b[:])
}

func writeStr(h *maphash.Hash, kind byte, s string) {
	h.WriteByte(kind)
	writeU64(h, uint64(len(s)))
	h.WriteString(s)
}

func hashInt(h *maphash.Hash, v int64) {
	h.WriteByte('i')
	writeU64(h, uint64(v))
}

// hashInto writes t's kind and contents into h: one case per term shape,
// the compound ones in helpers below.
func hashInto(h *maphash.Hash, t Term, depth int) {
	if depth > maxHashDepth {
		return
	}
	if v, ok := smallInt(t); ok {
		hashInt(h, v)
		return
	}
	switch x := t.(type) {
	case nil:
		h.WriteByte('L')
		writeU64(h, 0)
	case Atom:
		writeStr(h, 'a', string(x))
	case bool:
		writeStr(h, 'a', string(boolAtom(x)))
	case uint:
		hashBig(h, new(big.Int).SetUint64(uint64(x)))
	case uint64:
		hashBig(h, new(big.Int).SetUint64(x))
	case *big.Int:
		hashBig(h, x)
	case big.Int:
		hashBig(h, &x)
	case float64:
		hashFloat(h, x)
	case float32:
		hashFloat(h, float64(x))
	case []byte:
		writeStr(h, 'b', string(x))
	case string:
		writeStr(h, 'b', x)
	case BitString:
		hashBits(h, x)
	case Tuple:
		hashSeq(h, 't', x, depth)
	case List:
		hashSeq(h, 'L', x, depth)
	case []any:
		hashSeq(h, 'L', x, depth)
	case Charlist:
		hashCharlist(h, x)
	case ImproperList:
		hashImproper(h, x, depth)
	case Map:
		hashMap(h, x, depth)
	case PID:
		writeStr(h, 'p', string(x.Node))
		writeU64(h, uint64(x.ID)<<32|uint64(x.Serial))
		writeU64(h, uint64(x.Creation))
	case Port:
		writeStr(h, 'o', string(x.Node))
		writeU64(h, x.ID)
		writeU64(h, uint64(x.Creation))
	case Ref:
		hashRef(h, x)
	case Alias:
		hashRef(h, Ref(x))
	case Export:
		writeStr(h, 'e', string(x.Module))
		writeStr(h, 'e', string(x.Function))
		h.WriteByte(x.Arity)
	case Fun:
		writeStr(h, 'f', string(x.Module))
		h.Write(x.Uniq[:])
		writeU64(h, uint64(x.Index))
	default:
		// Other Go values: all in one bucket, Equal sorts them out.
		h.WriteByte('?')
	}
}

// hashBits hashes a bitstring; a whole last byte makes it a binary.
func hashBits(h *maphash.Hash, x BitString) {
	if x.Bits == 8 {
		writeStr(h, 'b', string(x.Bytes))
		return
	}
	h.WriteByte(x.Bits)
	writeStr(h, 'B', string(x.Bytes))
}

// hashSeq hashes a tuple ('t') or a proper list ('L'): length, then
// elements.
func hashSeq[T ~[]Term](h *maphash.Hash, kind byte, x T, depth int) {
	h.WriteByte(kind)
	writeU64(h, uint64(len(x)))
	for _, e := range x {
		hashInto(h, e, depth+1)
	}
}

// hashCharlist hashes a Charlist as the list of its code points, so it
// hashes like the equal List.
func hashCharlist(h *maphash.Hash, x Charlist) {
	h.WriteByte('L')
	n := 0
	for range x {
		n++
	}
	writeU64(h, uint64(n))
	for _, r := range x {
		hashInt(h, int64(r))
	}
}

// hashImproper hashes an improper list, flattened first so that one which
// is really proper (a list tail) hashes like the equal List.
func hashImproper(h *maphash.Hash, x ImproperList, depth int) {
	f := flattenImproper(x)
	if !isImproper(f) {
		hashInto(h, f, depth)
		return
	}
	x = f.(ImproperList)
	h.WriteByte('l')
	writeU64(h, uint64(len(x.Elems)))
	for _, e := range x.Elems {
		hashInto(h, e, depth+1)
	}
	hashInto(h, x.Tail, depth+1)
}

// hashMap hashes a map independently of pair order: the sum of per-pair
// hashes.
func hashMap(h *maphash.Hash, x Map, depth int) {
	var sum uint64
	for _, p := range x {
		var ph maphash.Hash
		ph.SetSeed(hashSeed)
		hashInto(&ph, p.Key, depth+1)
		hashInto(&ph, p.Value, depth+1)
		sum += ph.Sum64()
	}
	h.WriteByte('m')
	writeU64(h, uint64(len(x)))
	writeU64(h, sum)
}

func hashRef(h *maphash.Hash, r Ref) {
	writeStr(h, 'r', string(r.Node))
	writeU64(h, uint64(r.Creation))
	h.WriteByte(r.Len)
	for i := 0; i < int(r.Len) && i < len(r.ID); i++ {
		writeU64(h, uint64(r.ID[i]))
	}
}

func hashBig(h *maphash.Hash, x *big.Int) {
	if x.IsInt64() {
		hashInt(h, x.Int64())
		return
	}
	h.WriteByte('I')
	h.WriteByte(byte(x.Sign() + 1))
	h.Write(x.Bytes())
}

func hashFloat(h *maphash.Hash, f float64) {
	if f == 0 {
		f = 0 // -0.0 equals 0.0
	}
	h.WriteByte('f')
	writeU64(h, math.Float64bits(f))
}

// smallInt returns t's value if t is a Go integer that fits an int64.
func smallInt(t Term) (int64, bool) {
	switch x := t.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint:
		if uint64(x) <= math.MaxInt64 {
			return int64(x), true
		}
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

// hasDuplicateKeys reports whether two keys of m are Equal, in expected
// linear time for large maps.
func hasDuplicateKeys(m Map) bool {
	n := len(m)
	if n < 2 {
		return false
	}
	if allAtomKeys(m) {
		// The common case (records, Elixir structs): compare strings.
		if n <= 32 {
			for i := 1; i < n; i++ {
				for j := 0; j < i; j++ {
					if m[i].Key.(Atom) == m[j].Key.(Atom) {
						return true
					}
				}
			}
			return false
		}
		seen := make(map[Atom]struct{}, n)
		for _, p := range m {
			a := p.Key.(Atom)
			if _, dup := seen[a]; dup {
				return true
			}
			seen[a] = struct{}{}
		}
		return false
	}
	if n <= 8 {
		for i := 1; i < n; i++ {
			for j := 0; j < i; j++ {
				if Equal(m[i].Key, m[j].Key) {
					return true
				}
			}
		}
		return false
	}
	return hasDuplicateKeysHashed(m)
}

func allAtomKeys(m Map) bool {
	for _, p := range m {
		if _, ok := p.Key.(Atom); !ok {
			return false
		}
	}
	return true
}
