package port

import (
	"errors"
	"fmt"
)

var (
	// ErrBadOption is returned by Open for an option value open_port
	// would refuse (badarg): a packet size other than 1, 2 or 4, a line
	// length below 1, a limit below 1.
	ErrBadOption = errors.New("port: bad option")
	// ErrClosed is returned by Command when the port's stdin is closed:
	// the port exited, Close was called, or the program stopped reading
	// (its stdin broke).
	ErrClosed = errors.New("port: closed")
	// ErrTooLarge is returned by Command for data that does not fit the
	// {packet, N} header (more than 255 bytes for N = 1, 65535 for N = 2).
	// A {command, Data} message that large ends the port with einval, as
	// on BEAM.
	ErrTooLarge = errors.New("port: data too large for the packet header")
	// ErrMsgSize is the error behind the exit reason emsgsize: a packet
	// header announced more than WithMaxPacket bytes.
	ErrMsgSize = errors.New("port: packet larger than the maximum")
	// ErrStart wraps the reason a program could not be started (not
	// found, not executable, bad directory); errors.Is also finds the
	// os/exec or fs cause.
	ErrStart = errors.New("port: cannot start program")
)

func optionError(why string) error { return fmt.Errorf("%w: %s", ErrBadOption, why) }
