package tcp

import (
	"errors"
	"fmt"
)

var (
	// ErrBadOption is an option value gen_tcp would refuse (badarg): a
	// packet size other than 0, 1, 2, 4 or Line, a limit below 1, a nil
	// owner, or Recv with a length in a packet mode.
	ErrBadOption = errors.New("tcp: bad option")
	// ErrClosed is Send, Recv or SetActive on a socket that is closed
	// (Close, the peer closed, the owner exited), as gen_tcp's {error,
	// closed}. With WithReconnect it also means "not connected now".
	ErrClosed = errors.New("tcp: closed")
	// ErrTimeout is Recv's timeout passing ({error, timeout}).
	ErrTimeout = errors.New("tcp: timeout")
	// ErrNotPassive is Recv on a socket in an active mode ({error,
	// einval}).
	ErrNotPassive = errors.New("tcp: socket is active")
	// ErrTooLarge is Send of a message that does not fit the {packet, N}
	// header (over 255 bytes for N = 1, 65535 for N = 2). gen_tcp (OTP 25)
	// sends such a message with its length cut to the header, which
	// breaks the peer's framing; erlgo refuses it.
	ErrTooLarge = errors.New("tcp: data too large for the packet header")
	// ErrMsgSize is behind the tcp_error reason emsgsize: the peer sent a
	// packet (or line) over WithMaxPacket, and the connection was closed.
	ErrMsgSize = errors.New("tcp: packet larger than the maximum")
	// ErrConnect wraps why Dial could not connect; errors.Is also finds
	// the net or tls cause (and context.DeadlineExceeded on a timeout).
	ErrConnect = errors.New("tcp: cannot connect")
)

func optionError(why string) error { return fmt.Errorf("%w: %s", ErrBadOption, why) }
