package dist

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package matches one of them
// with errors.Is.
var (
	// ErrClosed reports use of a closed Conn or Manager.
	ErrClosed = errors.New("dist: connection closed")
	// ErrInterrupted reports a SendInterruptible that gave up waiting for
	// room in the write queue because its Interrupter said so.
	ErrInterrupted = errors.New("dist: send interrupted")
	// ErrTickTimeout is the down reason of a connection whose peer was
	// silent for net_ticktime (OTP's net_tick_timeout).
	ErrTickTimeout = errors.New("net_tick_timeout")
	// ErrWriteTimeout is the down reason of a connection whose peer did not
	// read what we wrote for a whole tick time.
	ErrWriteTimeout = errors.New("dist: peer stopped reading (send timeout)")
	// ErrHandshake is the class of every handshake failure.
	ErrHandshake = errors.New("dist: handshake failed")
	// ErrNotAllowed reports a not_allowed status: missing mandatory flags
	// or a refused name.
	ErrNotAllowed = errors.New("dist: not_allowed")
	// ErrBadCookie reports a challenge digest mismatch.
	ErrBadCookie = errors.New("dist: bad cookie")
	// ErrNok reports that the peer answered nok: a simultaneous connect
	// that the peer's own attempt wins.
	ErrNok = errors.New("dist: nok (simultaneous connect lost)")
	// ErrAlreadyConnected reports that the peer already has a live
	// connection to us (status alive answered false).
	ErrAlreadyConnected = errors.New("dist: already connected")
	// ErrBadName reports a node name that breaks OTP's name rules.
	ErrBadName = errors.New("dist: illegal node name")
	// ErrSetupTimeout reports a handshake step that exceeded SetupTimeout.
	ErrSetupTimeout = errors.New("dist: setup timeout")
	// ErrMalformed reports a malformed distribution packet; the connection
	// that received it is closed with this reason.
	ErrMalformed = errors.New("dist: malformed distribution packet")
	// ErrReassemblyLimit reports fragments exceeding Config.MaxReassembly
	// or Config.MaxFragmentSeqs; the connection is closed with it.
	ErrReassemblyLimit = errors.New("dist: fragment reassembly memory limit exceeded")
	// ErrInvalidMessage reports a well-formed control message that ERTS
	// would reject as "Invalid distribution message": a signal whose
	// sender is not a process of the peer that sent it, or whose target
	// must be local and is not. The connection is closed with it (and
	// it also matches ErrMalformed).
	ErrInvalidMessage = errors.New("dist: invalid distribution message")
	// ErrUnsupportedOp reports a control message the peer did not
	// negotiate (e.g. SPAWN_REQUEST to a peer without DFLAG_SPAWN).
	ErrUnsupportedOp = errors.New("dist: operation not supported by peer")
	// ErrNoDial reports Connect without a Config.Dial function.
	ErrNoDial = errors.New("dist: no dial function configured")
	// ErrReplaced is the down reason of a connection replaced by a new one
	// after the peer answered alive/true.
	ErrReplaced = errors.New("dist: connection replaced by a new one")
)

// handshakeError wraps a handshake failure with its class (ErrHandshake) and
// an optional specific sentinel.
type handshakeError struct {
	kind error // specific sentinel or nil
	msg  string
}

func (e *handshakeError) Error() string {
	if e.kind != nil {
		return "dist: handshake: " + e.kind.Error() + ": " + e.msg
	}
	return "dist: handshake: " + e.msg
}

func (e *handshakeError) Is(target error) bool {
	return target == ErrHandshake || (e.kind != nil && errors.Is(e.kind, target))
}

func (e *handshakeError) Unwrap() error { return e.kind }

func hsErr(kind error, format string, args ...any) error {
	return &handshakeError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// malformed returns an ErrMalformed error with detail, wrapping cause.
func malformed(cause error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if cause != nil {
		return fmt.Errorf("%w: %s: %w", ErrMalformed, msg, cause)
	}
	return fmt.Errorf("%w: %s", ErrMalformed, msg)
}
