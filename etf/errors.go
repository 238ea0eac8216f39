package etf

import (
	"errors"
	"fmt"
)

// Decoding sentinels. A *DecodeError unwraps to exactly one of them and, in
// addition, always satisfies errors.Is(err, ErrMalformed), so a caller that
// only wants to drop a bad message needs a single check.
var (
	// ErrMalformed is the class of every decoding failure.
	ErrMalformed = errors.New("etf: malformed term")
	// ErrTruncated reports input that ends inside a term.
	ErrTruncated = errors.New("etf: truncated term")
	// ErrTooDeep reports nesting beyond a configured Limits.MaxDepth (the
	// default has no depth limit).
	//
	// ErrTooDeep and ErrTooLarge say that this one term exceeds a limit
	// the caller chose, not that the bytes are garbage: the decoder
	// reports them only for a length it has checked against the input
	// (or, for a compressed term, that deflate can honestly produce), and
	// the default limits are those of the Erlang VM. A caller that knows
	// where the term ends (a distribution packet, a {packet,4} frame) may
	// drop that one term and keep reading the stream. Every other sentinel
	// (ErrTruncated, ErrUnsupported, a bare ErrMalformed ...) means the
	// bytes do not form a term; so does anything the VM itself refuses (an
	// atom over 255 characters, a big integer over MaxVMBigDigits), which
	// is reported as bare ErrMalformed whatever the limits say.
	ErrTooDeep = errors.New("etf: term nested too deep")
	// ErrTooLarge reports a term exceeding a size limit (term count,
	// uncompressed size, big integer digits, atom length); see ErrTooDeep.
	ErrTooLarge = errors.New("etf: term too large")
	// ErrUnsupported reports a tag this codec does not accept
	// (FUN_EXT, LOCAL_EXT, unknown tags).
	ErrUnsupported = errors.New("etf: unsupported tag")
	// ErrTrailing reports bytes left after a complete term.
	ErrTrailing = errors.New("etf: trailing bytes after term")
	// ErrAtomCache reports an ATOM_CACHE_REF that cannot be resolved: no
	// cache, index out of range or empty slot.
	ErrAtomCache = errors.New("etf: unresolvable atom cache reference")
)

// Encoding errors.
var (
	// ErrUnsupportedType reports a Go value the encoder cannot represent.
	ErrUnsupportedType = errors.New("etf: unsupported Go type")
	// ErrInvalidTerm reports a term value that has no valid encoding: a
	// non-finite float, an atom over 255 characters, a BitString with Bits
	// outside 1..8, a Ref with Len over 5, a cyclic or too deep value.
	ErrInvalidTerm = errors.New("etf: invalid term value")
)

// DecodeError describes where and why decoding failed.
type DecodeError struct {
	Offset int    // byte offset of the offending field in the input
	Tag    byte   // tag of the term being decoded (0 if none)
	Err    error  // one of the sentinels above
	Msg    string // human detail
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Tag != 0 {
		return fmt.Sprintf("%v: %s at offset %d (tag %d)", e.Err, e.Msg, e.Offset, e.Tag)
	}
	return fmt.Sprintf("%v: %s at offset %d", e.Err, e.Msg, e.Offset)
}

// Unwrap returns the specific sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is makes every DecodeError match ErrMalformed.
func (e *DecodeError) Is(target error) bool { return target == ErrMalformed }
