package etf

import "slices"

// Room ahead for big terms. append grows a slice past a few hundred bytes
// by about 1.25x per reallocation, so encoding a 10 MB term into an empty
// buffer took ~30 reallocations that copied ~50 MB (bench's
// shape-bins1000x10k echo spent most of its CPU there). The encoder
// instead reserves a lower bound of a big container's size up front and,
// while it appends the elements, at least doubles the buffer whenever
// little room is left, so that append's own growth (1.25x) rarely runs.
// Small terms never take this path: it costs them nothing.
const (
	// bigContainer is the element count from which a list, tuple or map
	// reserves room ahead; smaller ones take the plain loop. Above 255,
	// so that a SMALL_TUPLE is never big.
	bigContainer = 256
	// minRoom is the spare capacity kept while a big container's
	// elements are appended.
	minRoom = 256
)

// grow returns dst with room for n more bytes, at least doubling its
// capacity when it must reallocate. When len+n is over twice the capacity
// it leaves dst to append, whose growth then allocates exactly len+n and,
// unlike slices.Grow, does not clear the bytes about to be written (a
// single 10 MiB binary into an empty buffer).
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n || len(dst)+n > 2*cap(dst) {
		return dst
	}
	return slices.Grow(dst, max(n, cap(dst)))
}

// reserve returns dst with room for n more bytes: n is a lower bound of
// what follows.
func reserve(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst
	}
	return slices.Grow(dst, n)
}

// reserveElems reserves room for x, a big list or tuple, unless dst has
// it already: when x starts with a binary (lists of binaries are usually
// all binaries) the size of its binaries and strings plus two bytes per
// other element, else two bytes per element, the smallest encoding but
// nil's; and minRoom more, so that the loop's room check and the list's
// tail fit an exact reservation.
func reserveElems(dst []byte, x []Term) []byte {
	n := 2*len(x) + minRoom
	switch x[0].(type) {
	case []byte, string:
		n = minRoom
		for _, el := range x {
			switch v := el.(type) {
			case []byte:
				n += 5 + len(v)
			case string:
				n += 5 + len(v)
			default:
				n += 2
			}
		}
	}
	return reserve(dst, n)
}

// appendBigElems appends the encodings of the elements of x, a list or
// tuple of at least bigContainer elements at depth, keeping minRoom spare
// bytes (and room for the next element when it is a binary) by doubling.
func (e *Encoder) appendBigElems(dst []byte, x []Term, depth int) ([]byte, error) {
	dst = reserveElems(dst, x)
	var err error
	for _, el := range x {
		need := minRoom
		if b, ok := el.([]byte); ok {
			need += len(b)
		}
		if cap(dst)-len(dst) < need {
			dst = grow(dst, need)
		}
		if dst, err = e.append(dst, el, depth+1); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendBigPairs appends the keys and values of x, a map of at least
// bigContainer pairs at depth, after reserving four bytes per pair.
func (e *Encoder) appendBigPairs(dst []byte, x Map, depth int) ([]byte, error) {
	dst = reserve(dst, 4*len(x)+minRoom)
	var err error
	for _, p := range x {
		if cap(dst)-len(dst) < minRoom {
			dst = grow(dst, minRoom)
		}
		if dst, err = e.append(dst, p.Key, depth+1); err != nil {
			return dst, err
		}
		if dst, err = e.append(dst, p.Value, depth+1); err != nil {
			return dst, err
		}
	}
	return dst, nil
}
