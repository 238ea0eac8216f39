package etf

import "math/bits"

// hasDuplicateKeysHashed reports whether two keys of m (more than a few
// pairs) are Equal. Each key's hash picks a slot of an open-addressing
// table of pair indexes (at least twice as many slots as pairs, linear
// probing); only keys whose hashes match are compared with Equal. When
// every key is an int, the int is its own hash and equal hashes are equal
// keys, so HashTerm and Equal are skipped. This replaced a Go map of
// hashes, which took two thirds of decoding a 50,000-key map (bench's
// shape-map50k).
func hasDuplicateKeysHashed(m Map) bool {
	n := len(m)
	k := bits.Len(uint(2*n - 1)) // 2^k >= 2n
	shift, mask := uint(64-k), uint64(1)<<k-1
	table := make([]int32, mask+1) // index+1 of the pair in the slot, 0: empty
	if allIntKeys(m) {
		for i, p := range m {
			v := p.Key.(int)
			for s := slotOf(uint64(v), shift); ; s = (s + 1) & mask {
				j := table[s]
				if j == 0 {
					table[s] = int32(i + 1)
					break
				}
				if m[j-1].Key.(int) == v {
					return true
				}
			}
		}
		return false
	}
	hashes := make([]uint64, n)
	for i, p := range m {
		h := HashTerm(p.Key)
		hashes[i] = h
		for s := slotOf(h, shift); ; s = (s + 1) & mask {
			j := table[s]
			if j == 0 {
				table[s] = int32(i + 1)
				break
			}
			if hashes[j-1] == h && Equal(m[j-1].Key, p.Key) {
				return true
			}
		}
	}
	return false
}

// slotOf spreads h over the table's 64-shift bits (Fibonacci hashing), so
// that consecutive ints land far apart.
func slotOf(h uint64, shift uint) uint64 { return (h * 0x9E3779B97F4A7C15) >> shift }

func allIntKeys(m Map) bool {
	for _, p := range m {
		if _, ok := p.Key.(int); !ok {
			return false
		}
	}
	return true
}
