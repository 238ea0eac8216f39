package etf

import "fmt"

// appendOther encodes a Go value that is not one of the term types. It is
// the hook for the reflection layer; this stub rejects everything.
func (e *Encoder) appendOther(dst []byte, v any) ([]byte, error) {
	return dst, fmt.Errorf("%w: %T", ErrUnsupportedType, v)
}
