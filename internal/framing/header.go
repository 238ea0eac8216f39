package framing

import (
	"encoding/binary"
	"fmt"
)

// AppendHeader appends the {packet, n} length header for a message of
// size bytes to dst (nothing for n = 0), or fails with ErrHeaderOverflow
// when size does not fit n bytes.
func AppendHeader(dst []byte, n, size int) ([]byte, error) {
	switch n {
	case 0:
		return dst, nil
	case 1:
		if size > 0xff {
			return dst, overflow(n, size)
		}
		return append(dst, byte(size)), nil
	case 2:
		if size > 0xffff {
			return dst, overflow(n, size)
		}
		return binary.BigEndian.AppendUint16(dst, uint16(size)), nil
	case 4:
		if uint64(size) > 0xffffffff {
			return dst, overflow(n, size)
		}
		return binary.BigEndian.AppendUint32(dst, uint32(size)), nil
	}
	return dst, fmt.Errorf("%w: packet header must be 0, 1, 2 or 4 bytes, not %d", ErrBadConfig, n)
}

func overflow(n, size int) error {
	return fmt.Errorf("%w: %d bytes for {packet, %d}", ErrHeaderOverflow, size, n)
}
