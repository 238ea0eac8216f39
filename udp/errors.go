package udp

import "errors"

var (
	// ErrBadOption is an option gen_udp would refuse (badarg): a window
	// below 1, an unknown active mode, a nil owner.
	ErrBadOption = errors.New("udp: bad option")
	// ErrClosed is an operation on a closed socket ({error, closed}).
	ErrClosed = errors.New("udp: closed")
	// ErrTimeout is Recv's timeout passing ({error, timeout}).
	ErrTimeout = errors.New("udp: timeout")
	// ErrNotPassive is Recv on a socket in an active mode.
	ErrNotPassive = errors.New("udp: socket is active")
)
