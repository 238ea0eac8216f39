package port

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/internal/framing"
)

// readSize is the size of one read from the program's stdout or stderr,
// and so the largest stream chunk.
const readSize = 64 << 10

// Backpressure polling: while the owner's mailbox is full the reader
// checks again after a pause that doubles from minPause to maxPause. The
// node offers no wake-up when a mailbox drains, and a poll every few
// milliseconds costs nothing next to an owner that is behind anyway.
const (
	minPause = 50 * time.Microsecond
	maxPause = 10 * time.Millisecond
)

var (
	atomData       = etf.Atom("data")
	atomEOL        = etf.Atom("eol")
	atomNoEOL      = etf.Atom("noeol")
	atomStderr     = etf.Atom("stderr")
	atomExitStatus = etf.Atom("exit_status")
	atomCommand    = etf.Atom("command")
	atomClose      = etf.Atom("close")
	atomClosed     = etf.Atom("closed")
	atomConnect    = etf.Atom("connect")
	atomBadsig     = etf.Atom("badsig")
	atomEinval     = etf.Atom("einval")
	atomEmsgsize   = etf.Atom("emsgsize")
)

// readOutput reads the program's stdout until EOF (or until stop) and
// delivers it framed. A framing error (a packet over the maximum) is
// returned; the port exits with it.
func (s *portProc) readOutput(f *os.File) error {
	fr := newFramer(&s.cfg)
	emit := func(k framing.Kind, b []byte) bool { return s.deliver(atomData, k, b) }
	buf := make([]byte, readSize)
	for {
		n, err := f.Read(buf)
		switch {
		case n >= readSize/2 && s.cfg.framing == Stream:
			// A big chunk goes to the owner as it is, saving a copy; a
			// fresh buffer takes the next read.
			emit(framing.Data, buf[:n:n])
			buf = make([]byte, readSize)
		case n > 0:
			if ferr := pushFrames(fr, buf[:n], emit); ferr != nil {
				return ferr
			}
		}
		if err != nil {
			if dropped := fr.EOF(emit); dropped > 0 {
				s.self.Logger().Debug("port: output ended inside a packet", "dropped_bytes", dropped)
			}
			if errors.Is(err, io.EOF) || s.stopping() {
				return nil
			}
			return err
		}
	}
}

// readStderr delivers the program's stderr as {stderr, Chunk} messages.
func (s *portProc) readStderr(f *os.File) {
	buf := make([]byte, readSize)
	for {
		n, err := f.Read(buf)
		if n > 0 && !s.deliver(atomStderr, framing.Data, bytes.Clone(buf[:n])) {
			return
		}
		if err != nil {
			return
		}
	}
}

// deliver waits for room in the owner's mailbox and sends {Port, {tag,
// Data}} from the port's pid. It returns false once the port is stopping.
func (s *portProc) deliver(tag etf.Atom, k framing.Kind, b []byte) bool {
	if !s.waitWindow() {
		return false
	}
	var data etf.Term = b
	if s.cfg.text {
		data = charlist(b)
	}
	switch k {
	case framing.EOL:
		data = etf.Tuple{atomEOL, data}
	case framing.NoEOL:
		data = etf.Tuple{atomNoEOL, data}
	}
	_ = s.self.Send(s.owner.Self(), etf.Tuple{s.self.Self(), etf.Tuple{tag, data}})
	return true
}

// waitWindow blocks while the owner's mailbox holds window messages or
// more. A process takes its whole queue in one batch, so at most about
// two windows of the port's messages exist at once: the batch being
// handled and the queue behind it.
func (s *portProc) waitWindow() bool {
	pause := minPause
	var t *time.Timer
	for s.owner.MessageQueueLen() >= s.cfg.window && s.closeWait.Load() == 0 {
		if t == nil {
			t = time.NewTimer(pause)
			defer t.Stop()
		} else {
			t.Reset(pause)
		}
		select {
		case <-s.stop:
			return false
		case <-t.C:
		}
		pause = min(2*pause, maxPause)
	}
	select {
	case <-s.stop:
		return false
	default:
		return true
	}
}

// charlist is b as open_port's list mode delivers it: one code point per
// byte, so that it travels as a list of bytes (STRING_EXT).
func charlist(b []byte) etf.Charlist {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return etf.Charlist(string(r))
}

func (s *portProc) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// newFramer returns the shared framer (internal/framing) for the port's
// framing: {packet, N}, {line, L} (eol/noeol parts) or stream.
func newFramer(c *config) *framing.Framer {
	fc := framing.Config{Mode: framing.Raw}
	switch c.framing {
	case Packet:
		fc = framing.Config{Mode: framing.Packet, Header: c.n, Max: c.maxPacket}
	case Line:
		fc = framing.Config{Mode: framing.SplitLine, Max: c.n}
	}
	f, err := framing.New(fc)
	if err != nil {
		panic(err) // validate refused such options already
	}
	return f
}

// pushFrames feeds data to fr; a packet over the maximum is ErrMsgSize
// (the port exits emsgsize).
func pushFrames(fr *framing.Framer, data []byte, emit func(framing.Kind, []byte) bool) error {
	if err := fr.Push(data, emit); err != nil {
		return fmt.Errorf("%w: %w", ErrMsgSize, err)
	}
	return nil
}

// frameHeader returns the {packet, N} header for a message of size bytes,
// or ErrTooLarge.
func frameHeader(n, size int) ([]byte, error) {
	h, err := framing.AppendHeader(nil, n, size)
	if errors.Is(err, framing.ErrHeaderOverflow) {
		return nil, ErrTooLarge
	}
	return h, err
}
