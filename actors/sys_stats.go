package actors

import (
	"time"

	"github.com/erlgo/erlgo/etf"
	"github.com/erlgo/erlgo/node"
)

// sysStats is what sys:statistics(Name, true) starts counting.
type sysStats struct {
	start time.Time
	reds  uint64 // the process's reductions when counting began
}

// debugStatistics answers sys:statistics/2's {debug, {statistics, Flag}}
// as OTP's sys does: true and false answer ok, get answers {ok,
// no_statistics} or {ok, [{start_time, T}, {current_time, T},
// {reductions, N}, {messages_in, N}, {messages_out, N}]}. Reductions and
// messages in are the messages the actor took (node.ProcessInfo's
// Reductions); messages out are not counted here and stay 0.
func (s *server) debugStatistics(flag etf.Term) (etf.Term, bool) {
	switch flag {
	case etf.Atom("true"):
		s.stats = &sysStats{start: time.Now(), reds: s.reductions()}
		return atomOK, true
	case etf.Atom("false"):
		s.stats = nil
		return atomOK, true
	case etf.Atom("get"):
		if s.stats == nil {
			return etf.Tuple{atomOK, etf.Atom("no_statistics")}, true
		}
		in := s.reductions() - s.stats.reds
		return etf.Tuple{atomOK, etf.List{
			etf.Tuple{etf.Atom("start_time"), localDateTime(s.stats.start)},
			etf.Tuple{etf.Atom("current_time"), localDateTime(time.Now())},
			etf.Tuple{etf.Atom("reductions"), in},
			etf.Tuple{etf.Atom("messages_in"), in},
			etf.Tuple{etf.Atom("messages_out"), 0},
		}}, true
	}
	return nil, false
}

func (s *server) reductions() uint64 {
	pi, _ := s.proc.Info(node.InfoReductions)
	return pi.Reductions
}

// localDateTime is calendar:local_time()'s {{Y, M, D}, {H, Mi, S}}.
func localDateTime(t time.Time) etf.Tuple {
	t = t.Local()
	return etf.Tuple{etf.Tuple{t.Year(), int(t.Month()), t.Day()}, etf.Tuple{t.Hour(), t.Minute(), t.Second()}}
}
