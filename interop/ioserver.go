// Spec: STDLIB The Erlang I/O Protocol, https://www.erlang.org/doc/apps/stdlib/io_protocol.html

package interop

import (
	"fmt"
	"strings"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

var (
	atomIORequest = etf.Atom("io_request")
	atomIOReply   = etf.Atom("io_reply")
	atomPutChars  = etf.Atom("put_chars")
	atomEOF       = etf.Atom("eof")
)

// ioServer is the node's own io server, registered as user: the group
// leader of work started from Go, and what BEAM code running rpc calls
// made from Go prints to. It speaks the io protocol:
//
//	{io_request, From, ReplyAs, Request} -> From ! {io_reply, ReplyAs, Reply}
//
// put_chars (all forms, including io_lib:format MFAs) writes the text;
// input requests answer eof (there is no terminal); setopts/getopts are
// accepted; anything else answers {error, request}.
type ioServer struct {
	s       *Services
	pending strings.Builder // output not yet ended by a newline (log mode)
}

func (io *ioServer) Init(*node.Process) error { return nil }

func (io *ioServer) Terminate(p *node.Process, _ etf.Term) {
	if io.pending.Len() > 0 {
		io.emit(p, "\n")
	}
}

func (io *ioServer) HandleMessage(p *node.Process, msg etf.Term) error {
	t, ok := msg.(etf.Tuple)
	if !ok || len(t) != 4 || t[0] != atomIORequest {
		return nil
	}
	from, ok := t[1].(etf.PID)
	if !ok {
		return nil
	}
	reply := io.request(p, t[3])
	io.s.replier.Send(p, from, etf.Tuple{atomIOReply, t[2], reply})
	return nil
}

func ioError(reason etf.Term) etf.Term { return etf.Tuple{atomError, reason} }

// request serves one io request and returns the reply.
func (io *ioServer) request(p *node.Process, req etf.Term) etf.Term {
	switch r := req.(type) {
	case etf.Atom:
		switch r {
		case "getopts":
			return etf.List{
				etf.Tuple{etf.Atom("binary"), etf.Atom("false")},
				etf.Tuple{etf.Atom("encoding"), etf.Atom("unicode")},
			}
		case "get_geometry":
			return ioError(etf.Atom("enotsup"))
		}
	case etf.Tuple:
		if len(r) == 0 {
			break
		}
		switch r[0] {
		case atomPutChars:
			return io.putChars(p, r[1:])
		case etf.Atom("get_line"), etf.Atom("get_chars"), etf.Atom("get_until"),
			etf.Atom("get_password"):
			return atomEOF
		case etf.Atom("setopts"):
			return atomOK
		case etf.Atom("get_geometry"):
			return ioError(etf.Atom("enotsup"))
		case etf.Atom("requests"):
			if len(r) != 2 {
				break
			}
			reqs, ok := etf.AsList(r[1])
			if !ok {
				break
			}
			var last etf.Term = atomOK
			for _, sub := range reqs {
				last = io.request(p, sub)
				if t, ok := last.(etf.Tuple); ok && len(t) == 2 && t[0] == atomError {
					return last
				}
			}
			return last
		}
	}
	return ioError(etf.Atom("request"))
}

// putChars serves {put_chars, [Encoding,] Chars} and
// {put_chars, [Encoding,] Module, Function, Args}.
func (io *ioServer) putChars(p *node.Process, args etf.Tuple) etf.Term {
	if len(args) == 2 || len(args) == 4 {
		if enc, ok := args[0].(etf.Atom); ok && (enc == "unicode" || enc == "latin1") {
			args = args[1:]
		}
	}
	var text string
	switch len(args) {
	case 1:
		s, ok := charsOf(args[0])
		if !ok {
			return ioError(atomPutChars)
		}
		text = s
	case 3:
		m, _ := args[0].(etf.Atom)
		f, _ := args[1].(etf.Atom)
		a, ok := etf.AsList(args[2])
		if !ok || m != "io_lib" || f != "format" || len(a) != 2 {
			return ioError(atomPutChars)
		}
		format, ok := charsOf(a[0])
		fargs, ok2 := etf.AsList(a[1])
		if !ok || !ok2 {
			return ioError(atomPutChars)
		}
		s, err := ioLibFormat(format, fargs)
		if err != nil {
			return ioError(atomPutChars)
		}
		text = s
	default:
		return ioError(etf.Atom("request"))
	}
	io.emit(p, text)
	return atomOK
}

// emit writes text to the configured writer, or logs it line by line.
func (io *ioServer) emit(p *node.Process, text string) {
	if io.s.out != nil {
		fmt.Fprint(io.s.out, text)
		return
	}
	io.pending.WriteString(text)
	buf := io.pending.String()
	lines := strings.Split(buf, "\n")
	for _, l := range lines[:len(lines)-1] {
		io.s.log.Info("io", "text", l)
	}
	io.pending.Reset()
	io.pending.WriteString(lines[len(lines)-1])
}
