package framing

import "bytes"

// pushSplit implements ERTS's {line, L} for open_port (checked against
// erl by port's TestLineLikeErl): a line ends at "\n" or "\r\n" (both
// removed) and is EOL when it holds at most L bytes; a longer one comes as
// NoEOL for every L bytes, the last part as EOL. A part is emitted only
// when the byte after it is known not to end the line, so a line of
// exactly L bytes is one EOL, and a "\r" waits for the next byte.
func (f *Framer) pushSplit(data []byte, emit func(Kind, []byte) bool) {
	for len(data) > 0 {
		if f.cr {
			f.cr = false
			if data[0] == '\n' {
				data = data[1:]
				if !f.emitLine(emit) {
					return
				}
				continue
			}
			if !f.addContent([]byte{'\r'}, emit) {
				return
			}
		}
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			f.addContent(data, emit)
			return
		}
		if !f.addContent(data[:i], emit) {
			return
		}
		if data[i] == '\r' {
			f.cr = true
			data = data[i+1:]
			continue
		}
		data = data[i+1:]
		if !f.emitLine(emit) {
			return
		}
	}
}

func (f *Framer) emitLine(emit func(Kind, []byte) bool) bool {
	line := f.buf
	if line == nil {
		line = []byte{}
	}
	f.buf = nil
	return emit(EOL, line)
}

// addContent appends run to the current line, emitting a full part first
// whenever more content follows it.
func (f *Framer) addContent(run []byte, emit func(Kind, []byte) bool) bool {
	for len(run) > 0 {
		if len(f.buf) == f.c.Max {
			part := f.buf
			f.buf = nil
			if !emit(NoEOL, part) {
				return false
			}
		}
		take := min(f.c.Max-len(f.buf), len(run))
		f.buf = append(f.buf, run[:take]...)
		run = run[take:]
	}
	return true
}
